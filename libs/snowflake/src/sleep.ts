// One shared cell nobody ever notifies, so Atomics.wait always runs to its timeout.
const cell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks the thread for about `ms` milliseconds without burning CPU. Only for
 * waits of several ms that must stay synchronous (the generator's API is
 * synchronous); shorter waits spin on the clock instead, since a timed wait can
 * overshoot by a fraction of a millisecond.
 */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(cell, 0, 0, ms);
}
