/** Failed logins allowed per client address per window, before 429 rate_limited. */
const MAX_FAILURES = 10;
const WINDOW_MS = 60_000;
/** Addresses remembered at most; the oldest are forgotten first (bounded memory under a spray). */
const MAX_ADDRESSES = 10_000;

/**
 * Slows password guessing: after MAX_FAILURES wrong passwords from one
 * address within a minute, further attempts are refused until the window
 * ends. Per minions instance (a guesser spread over instances gets each
 * instance's allowance).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  allowed(address: string, now = Date.now()): boolean {
    const entry = this.failures.get(address);
    if (!entry || now - entry.since >= WINDOW_MS) return true;
    return entry.count < MAX_FAILURES;
  }

  failed(address: string, now = Date.now()): void {
    const entry = this.failures.get(address);
    if (!entry || now - entry.since >= WINDOW_MS) {
      this.failures.delete(address);
      this.failures.set(address, { count: 1, since: now });
      if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
    } else entry.count++;
  }
}
