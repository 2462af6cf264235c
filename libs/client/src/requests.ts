import { SpearError } from './errors';
import type { Link } from './link';
import type { Session } from './session';

/** A successful ack's fields (beyond `ok`) and the session that answered. */
export interface Answer {
  ack: Record<string, unknown>;
  session: Session;
}

/**
 * Client → server calls with one time budget each (waiting for a connection
 * included), settled with the ack's fields or a SpearError, and all rejected
 * with the close reason when the client closes.
 */
export class Requests {
  private readonly pending = new Set<(error: SpearError) => void>();
  private closedWith?: SpearError;

  constructor(
    private readonly link: Link,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Emits `event` on the connection in use, or on the next one when there is
   * none. `retry`: when the connection drops before the ack, emit again on the
   * next one (only for idempotent calls: join, leave, ack). Otherwise the
   * call rejects with `disconnected`, as its outcome is unknown.
   */
  request(event: string, payload: unknown, retry: boolean): Promise<Answer> {
    return this.guard(async () => {
      const deadline = Date.now() + this.timeoutMs;
      for (;;) {
        const session = await this.link.whenReady(deadline);
        const outcome = await session.call(event, payload, Math.max(1, deadline - Date.now()));
        if ('ack' in outcome) {
          const { ack } = outcome;
          if (ack.ok) return { ack, session };
          throw new SpearError(ack.error.code, ack.error.message);
        }
        if (outcome.lost === 'timeout') throw new SpearError('timeout', `${event}: no ack within ${this.timeoutMs} ms`);
        if (!retry) throw new SpearError('disconnected', `${event}: the connection dropped before the ack; it may or may not have been applied`);
      }
    });
  }

  /** Rejects every pending call, and every later one, with `error`. */
  close(error: SpearError): void {
    this.closedWith ??= error;
    for (const reject of this.pending) reject(error);
    this.pending.clear();
  }

  /** Runs `work`, but settles early with the close reason if the client closes first. */
  guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      work()
        .then(resolve, reject)
        .finally(() => this.pending.delete(reject));
    });
  }
}
