/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves once the current fixed window of `windowMs` (windows start at
 * multiples of `windowMs` since the epoch, as ticket's rate limits count them)
 * has at least `needMs` left: a test that counts requests against a limit
 * would otherwise see its count reset when a window boundary falls inside it.
 */
export async function untilWindowHasRoom(windowMs: number, needMs: number, now = Date.now): Promise<void> {
  if (needMs >= windowMs) throw new Error(`a window of ${windowMs} ms never has ${needMs} ms of room`);
  const left = windowMs - (now() % windowMs);
  if (left < needMs) await sleep(left + 5);
}
