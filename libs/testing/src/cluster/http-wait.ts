import { sleep } from '../engines/sleep';

/** GETs `url` until it answers 200 or `timeoutMs` passes; `alive` stops the wait early when the server died. */
export async function waitForHttpOk(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`process serving ${url} exited (${last})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(150);
  }
  throw new Error(`${url} not healthy after ${timeoutMs} ms (${last})`);
}
