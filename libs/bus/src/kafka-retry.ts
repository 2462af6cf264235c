/** Options for {@link untilDone}. */
export interface UntilDoneOptions {
  /** Gives up (with the last error) after this long; default 10 s. */
  timeoutMs?: number;
  /** Pause between attempts; default 50 ms. */
  pauseMs?: number;
  /** Stops retrying once aborted, e.g. when the bus is closed mid-start. */
  signal?: AbortSignal;
}

/**
 * Calls `attempt` until it returns something other than undefined. Errors
 * kafkajs marks retriable (a coordinator still loading after a broker start
 * or failover, a topic not yet in the metadata just after creation) are
 * retried; others, and the last one at the deadline, are thrown. Several
 * kafkajs admin calls give up on these at once, hence this loop.
 */
export async function untilDone<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  options: UntilDoneOptions = {},
): Promise<T> {
  const { timeoutMs = 10_000, pauseMs = 50, signal } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new Error(`${what}: aborted`);
    try {
      const result = await attempt();
      if (result !== undefined) return result;
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
