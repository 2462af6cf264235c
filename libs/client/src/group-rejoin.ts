import { backoffDelay, type BackoffOptions } from './backoff';
import { SpearError } from './errors';
import type { GroupTracker, Rejoin } from './group-tracker';
import type { Session } from './session';

/** A rejoin refused with rate_limited is retried this many times (with backoff) before it is reported. */
const REJOIN_RETRIES = 5;

/**
 * Puts a connection in the groups the app joined (GroupTracker), each from
 * the last message seen in it. Refusals are reported, not thrown, except a
 * connection that is lost meanwhile (the attempt fails and the next one
 * rejoins). A `history_gone` rejoins from now on and says what was missed.
 */
export class GroupRejoin {
  constructor(
    private readonly groups: GroupTracker,
    private readonly current: () => Session | undefined,
    private readonly report: (error: SpearError) => void,
    private readonly options: { timeoutMs: number; backoff: BackoffOptions },
  ) {}

  /** Joins every tracked group on a new session, including groups joined while this runs. */
  async all(session: Session): Promise<void> {
    const done = new Set<string>();
    for (;;) {
      const todo = this.groups.rejoins().filter((r) => !done.has(r.group));
      if (!todo.length) return;
      await Promise.all(todo.map((r) => this.one(session, r)));
      for (const r of todo) done.add(r.group);
    }
  }

  private async one(session: Session, { group, since }: Rejoin, attempt = 0): Promise<void> {
    const outcome = await session.call('join', since === undefined ? { group } : { group, since }, this.options.timeoutMs);
    if (!('ack' in outcome)) throw new SpearError(outcome.lost, `rejoining ${group}: ${outcome.lost}`);
    if (outcome.ack.ok) return;
    const { code, message } = outcome.ack.error;
    if (code === 'history_gone' && since !== undefined) {
      // The gap cannot be replayed: say so, and at least be back in the group from now on.
      this.report(new SpearError(code, `rejoined ${group}, but messages after ${since} are gone: ${message}`, group));
      this.groups.restart(group);
      return this.one(session, { group });
    }
    if (code === 'rate_limited' && attempt < REJOIN_RETRIES) {
      // Many groups rejoined at once can exceed the connection's event budget; it refills within a second.
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, this.options.backoff)));
      return this.one(session, { group, ...(since === undefined ? {} : { since }) }, attempt + 1);
    }
    // Only a malformed join is given up for good; otherwise the next connection tries again.
    if (code === 'bad_request') this.groups.left(group);
    this.report(new SpearError(code, `could not rejoin ${group}: ${message}`, group));
  }

  /**
   * A join/leave answered by a session that is no longer the one in use (it
   * was replaced meanwhile): repeat it on the current one, whose rejoin may
   * have run before or without it.
   */
  alsoOnCurrent(answered: Session, payload: () => Rejoin | undefined, event: 'join' | 'leave'): void {
    const current = this.current();
    const p = payload();
    if (!current || current === answered || !p) return;
    void current.call(event, p, this.options.timeoutMs).then((outcome) => {
      if ('ack' in outcome && !outcome.ack.ok) this.report(new SpearError(outcome.ack.error.code, `${event} ${p.group}: ${outcome.ack.error.message}`, p.group));
    });
  }
}
