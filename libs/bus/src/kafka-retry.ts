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
 * Is `error` one kafkajs marks retriable, itself or as the cause its own
 * retrier gave up on (KafkaJSNumberOfRetriesExceeded is not retriable, but
 * a partition a new topic's leader does not host yet will be soon)?
 */
export function isRetriable(error: unknown): boolean {
  for (let e = error as { retriable?: boolean; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.retriable === true) return true;
  }
  return false;
}

/**
 * Calls `attempt` until it returns something other than undefined. Errors
 * kafkajs marks retriable (a coordinator still loading after a broker start
 * or failover, a topic not yet in the metadata just after creation, a
 * partition its new leader does not host yet), also when its own retrier
 * gave up on them, are retried; others, and the last one at the deadline,
 * are thrown. Several kafkajs admin calls give up on these at once, hence
 * this loop.
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
      if (!isRetriable(error) || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
