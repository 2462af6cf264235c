import type { SeqRun } from './seq-run';

/** The server accepts at most this many ids in one `ack` (ackPayload in @spear/protocol). */
export const MAX_ACK_IDS = 1000;

/** One `ack` payload: v1's ids, or v1.1's cumulative `upTo` (exactly one of the two). */
export type AckRequest = { ids: string[] } | { upTo: number };

/** Runs `fn` after `delayMs`; returns a function that cancels it. */
export type Scheduler = (fn: () => void, delayMs: number) => () => void;

export const timerScheduler: Scheduler = (fn, delayMs) => {
  const timer = setTimeout(fn, delayMs);
  return () => clearTimeout(timer);
};

/**
 * Collects what to ack and sends it in batches, `delayMs` after the first
 * addition of a batch (0: the next macrotask, so a burst handled in one tick
 * shares one ack). Acks are not urgent: the server redelivers unacked
 * messages only on a device's next connection.
 *
 * A flush sends `{upTo: H}` first, H the highest `top` of the connections
 * (SeqRun) that added messages, when it is above what was sent before; then
 * by id, in chunks of at most MAX_ACK_IDS, every message without a seq (an
 * old server) or with a seq above the highest upTo sent (above a hole: a
 * failed handler, a message still in flight). Each id once per flush.
 */
export class AckBatcher {
  /** id → seq (undefined: no seq). */
  private pending = new Map<string, number | undefined>();
  private runs = new Set<SeqRun>();
  private cancel?: () => void;
  /** The highest upTo handed to `send` (lowered by rewind when it may not have been applied). */
  private sentUpTo = 0;

  constructor(
    private readonly send: (ack: AckRequest) => void,
    private readonly delayMs: number,
    private readonly schedule: Scheduler = timerScheduler,
    private readonly maxBatch = MAX_ACK_IDS,
  ) {}

  /** Adds a message to ack; `run`: the connection it was delivered on, whose contiguous seqs may cover it. */
  add(id: string, seq?: number, run?: SeqRun): void {
    this.pending.set(id, seq);
    if (run) this.runs.add(run);
    this.cancel ??= this.schedule(() => this.flush(), this.delayMs);
  }

  /** Sends what is pending now (also what the scheduled flush does). */
  flush(): void {
    for (const ack of this.drain()) this.send(ack);
  }

  /** Takes what is pending as payloads without sending them (the caller sends them another way, e.g. while closing). */
  drain(): AckRequest[] {
    this.cancel?.();
    this.cancel = undefined;
    const out: AckRequest[] = [];
    let upTo = 0;
    for (const run of this.runs) upTo = Math.max(upTo, run.top ?? 0);
    if (upTo > this.sentUpTo) {
      out.push({ upTo });
      this.sentUpTo = upTo;
    }
    const ids: string[] = [];
    for (const [id, seq] of this.pending) if (seq === undefined || seq > this.sentUpTo) ids.push(id);
    for (let i = 0; i < ids.length; i += this.maxBatch) out.push({ ids: ids.slice(i, i + this.maxBatch) });
    this.pending = new Map();
    this.runs = new Set();
    return out;
  }

  /** An upTo sent may not have been applied (the ack failed, the log restarted): later flushes send upTo above `to` again. */
  rewind(to: number): void {
    this.sentUpTo = Math.min(this.sentUpTo, to);
  }

  get size(): number {
    return this.pending.size;
  }
}
