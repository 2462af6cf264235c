/** A budget of `rate` tokens per second, at most `burst` saved up (events of a connection, bytes of a node...). */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  /** Consecutive refusals; the caller closes the connection past a limit. */
  strikes = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Takes `cost` tokens when there are that many; false (a strike) otherwise. */
  take(now = Date.now(), cost = 1): boolean {
    this.refill(now);
    if (this.tokens >= cost) {
      this.tokens -= cost;
      this.strikes = 0;
      return true;
    }
    this.strikes++;
    return false;
  }

  /** Are `cost` tokens there now (nothing taken)? */
  has(cost = 1, now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= cost;
  }

  /** Full again: nothing was taken for long enough that forgetting it changes nothing. */
  full(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}
