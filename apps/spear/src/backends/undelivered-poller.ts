import type { UndeliveredChecks } from '@spear/delivery';
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

  /** One look: due checks taken, settled or left for their lease to run out. Resolves how many were settled. */
  async tick(now = Date.now()): Promise<number> {
    if (this.running || this.stopped) return 0;
    this.running = true;
    try {
      const due = await this.checks.claim(now, this.options.batch, this.options.leaseMs);
      const settled = await Promise.all(
        due.map(async ({ entry, member }) => {
          const done = (await this.checks.ackedByAnyDevice(entry.uid, entry.seq)) || (await this.hooks.undelivered(entry));
          if (done) await this.checks.settle(member);
          return done;
        }),
      );
      return settled.filter(Boolean).length;
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'undelivered checks: a look failed; trying again at the next tick');
      return 0;
    } finally {
      this.running = false;
    }
  }
}
