/** Reconnect delays: the floor of every delay and the ceiling none exceeds. */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 250, maxMs: 10_000 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first): exponential
 * with full jitter above a floor, uniform in
 * `[minMs, min(maxMs, minMs * 2^(attempt + 1))]`.
 *
 * Why jitter from the first attempt: when a node dies, all its clients
 * reconnect at once; spreading even the first try keeps them from arriving
 * together. Why a floor: a server that refuses at once must not be hammered.
 */
export function backoffDelay(attempt: number, { minMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  // The exponent is capped so 2^n stays finite for any attempt count.
  const ceiling = Math.max(minMs, Math.min(maxMs, minMs * 2 ** Math.min(attempt + 1, 40)));
  return Math.round(minMs + random() * (ceiling - minMs));
}

/**
 * The wait after a `migrate {retryAfterMs}`: at least what the server asked,
 * plus up to `max(retryAfterMs, minMs)` of jitter so a draining node's clients
 * do not all land on the next node in the same instant.
 */
export function migrateDelay(retryAfterMs: number, { minMs }: BackoffOptions, random: () => number = Math.random): number {
  const wait = Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? retryAfterMs : 0;
  return Math.round(wait + random() * Math.max(wait, minMs));
}
