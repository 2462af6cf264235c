/**
 * Runs every start at once and returns the handles in the same order. When
 * one fails, the ones that did start are stopped and the first failure is
 * thrown, so nothing is left running. At once, not one by one: members of
 * a ZooKeeper ensemble or a KRaft quorum answer only once a majority runs.
 */
export async function startTogether<T extends { stop(): Promise<void> }>(starts: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(starts.map((start) => start()));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (!failure) return results.map((result) => (result as PromiseFulfilledResult<T>).value);
  await Promise.allSettled(results.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
  throw failure.reason;
}
