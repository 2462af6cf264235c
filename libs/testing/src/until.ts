import { sleep } from './engines/sleep';

const POLL_MS = 20;

/** Polls `ok()` until it holds; rejects naming `what` when it still does not after `timeoutMs`. */
export async function until(ok: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  for (const end = Date.now() + timeoutMs; !ok(); ) {
    if (Date.now() >= end) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/**
 * Calls `probe()` until `ok(value)` holds or `timeoutMs` passed, and returns the last value either
 * way, so the caller's assertion shows what was seen. A probe that throws counts as not yet; when
 * it never once succeeded, its last error is thrown.
 */
export async function pollUntil<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | undefined;
  for (;;) {
    try {
      last = { value: await probe() };
      if (ok(last.value)) return last.value;
    } catch (error) {
      if (Date.now() >= deadline && !last) throw error;
    }
    if (Date.now() >= deadline && last) return last.value;
    await sleep(100);
  }
}
