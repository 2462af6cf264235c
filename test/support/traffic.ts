import { SpearError } from '@spear/client';
import type { Recorded } from './sdk-helpers';

/** One send's outcome, for the fault suites' accounting. */
export interface SendOutcome {
  /** When the send was made. */
  at: number;
  /** When its ack (or failure) came back. */
  doneAt: number;
  to: string;
  /** The message id when the send was acked. */
  id?: string;
  /** The SpearError code when it was refused or failed. */
  code?: string;
}

/**
 * Steady 1:1 traffic from each sender to each receiver in turn (one send in
 * flight per sender), recording every outcome. The fault suites check from it
 * that every acked id arrived (0 lost) and how sends failed meanwhile.
 */
export class Traffic {
  readonly outcomes: SendOutcome[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(senders: Recorded[], private readonly receivers: Recorded[], intervalMs = 20) {
    this.loops = senders.map(async (sender, s) => {
      for (let n = s; this.running; n++) {
        const to = receivers[n % receivers.length]!.client.uid;
        const at = Date.now();
        try {
          const { id } = await sender.client.send(to, { n, from: sender.client.uid });
          this.outcomes.push({ at, doneAt: Date.now(), to, id });
        } catch (error) {
          this.outcomes.push({ at, doneAt: Date.now(), to, code: error instanceof SpearError ? error.code : String(error) });
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  get acked(): SendOutcome[] {
    return this.outcomes.filter((o) => o.id);
  }

  get failed(): SendOutcome[] {
    return this.outcomes.filter((o) => o.code);
  }

  /** Acked ids not (yet) received by their recipient; the SDK already dropped duplicates. */
  missing(): SendOutcome[] {
    const got = new Map(this.receivers.map((r) => [r.client.uid, new Set(r.msgs.map((m) => m.id))]));
    return this.acked.filter((o) => !got.get(o.to)!.has(o.id!));
  }

  /** The first ack received at or after `t`. */
  firstAckAfter(t: number): SendOutcome | undefined {
    return this.acked.filter((o) => o.doneAt >= t).sort((a, b) => a.doneAt - b.doneAt)[0];
  }
}
