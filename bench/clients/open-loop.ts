/**
 * An open-loop send schedule: `rate` sends per second for `seconds`, emitted
 * from a 1 ms timer as the clock says they are due, whether or not earlier
 * ones were answered (so a slow server shows as latency, not as a lower
 * offered rate). Counts the server's answers (Answers).
 */
export type Answer = { ok: true; id?: string } | { ok: false; error?: { code?: string } };

/** The server's answers to a series of sends: how many were sent, acked, refused (by error code). */
export class Answers {
  sent = 0;
  acked = 0;
  answered = 0;
  refused: Record<string, number> = {};

  /** The ack callback of one send; `onOk` gets the message id of an accepted send. */
  answer(onOk?: (id: string) => void): (a: Answer) => void {
    return (a) => {
      this.answered++;
      if (a?.ok) {
        this.acked++;
        if (a.id !== undefined) onOk?.(a.id);
      } else {
        const code = a?.error?.code ?? 'unknown';
        this.refused[code] = (this.refused[code] ?? 0) + 1;
      }
    };
  }
}

export class OpenLoop extends Answers {
  /** How far the schedule fell behind at worst (the generator could not keep up), ms. */
  maxLagMs = 0;

  constructor(
    private readonly rate: number,
    private readonly seconds: number,
  ) {
    super();
  }

  /** Calls `emitOne` for every send that is due until the schedule is done. */
  run(emitOne: () => void): Promise<void> {
    const total = Math.round(this.rate * this.seconds);
    if (total === 0) return new Promise((r) => setTimeout(r, this.seconds * 1000));
    const start = performance.now();
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - start;
        const due = Math.min(total, Math.floor((elapsed / 1000) * this.rate));
        if (due - this.sent > 1) this.maxLagMs = Math.max(this.maxLagMs, ((due - this.sent - 1) / this.rate) * 1000);
        while (this.sent < due) {
          this.sent++;
          emitOne();
        }
        if (this.sent >= total || elapsed >= this.seconds * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
  }
}
