import type { UndeliveredChecks, UndeliveredEntry } from '@spear/delivery';
import type { HookClient } from './hook-client';

interface PollerLogger {
  warn(o: object, m?: string): void;
}

export interface UndeliveredPollerOptions {
  /** How often this node looks for due checks. */
  pollMs: number;
  /** Checks taken per look (and called at once). */
  batch: number;
  /** How long a taken check is this node's before another may take it again. */
  leaseMs: number;
  /** Batches one look may take while they come back full (a backlog drains at batch × this per poll). */
  maxBatches: number;
  /** A check whose message is older than this is dropped unanswered (a backend that never answers must not be called forever). */
  maxAgeMs: number;
}

/**
 * Runs the undelivered hook's due checks on this node (every spear node
 * runs one; Redis leases keep them from taking the same check twice while
 * its holder lives). A message some device acked is dropped silently; one
 * no device acked is told to the hook, and the check goes once the hook
 * answered. One look at a time; a failed look is logged and retried at the
 * next tick.
 */
export class UndeliveredPoller {
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;

  constructor(
    private readonly checks: UndeliveredChecks,
    private readonly hooks: Pick<HookClient, 'undelivered'>,
    private readonly options: UndeliveredPollerOptions,
    private readonly logger: PollerLogger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One look: due checks taken (batch after batch while they come back full), settled or left for their lease to run out. Resolves how many were settled. */
  async tick(now = Date.now()): Promise<number> {
    if (this.running || this.stopped) return 0;
    this.running = true;
    let settled = 0;
    try {
      for (let batch = 0; batch < this.options.maxBatches && !this.stopped; batch++) {
        const due = await this.checks.claim(now, this.options.batch, this.options.leaseMs);
        const done = await Promise.all(due.map(({ entry, member }) => this.check(entry, member, now)));
        settled += done.filter(Boolean).length;
        if (due.length < this.options.batch) break;
      }
      return settled;
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'undelivered checks: a look failed; trying again at the next tick');
      return 0;
    } finally {
      this.running = false;
    }
  }

  /** Acked by a device, too old, or told to the hook and answered: settled (true). Otherwise left to its lease. */
  private async check(entry: UndeliveredEntry, member: string, now: number): Promise<boolean> {
    const expired = now - entry.ts > this.options.maxAgeMs;
    if (expired) this.logger.warn({ uid: entry.uid, id: entry.id }, 'undelivered check dropped unanswered: older than its maximum age');
    const done = expired || (await this.checks.ackedByAnyDevice(entry.uid, entry.seq)) || (await this.hooks.undelivered(entry));
    if (done) await this.checks.settle(member);
    return done;
  }
}
