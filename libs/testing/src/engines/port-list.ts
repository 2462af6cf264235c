import { freePort } from './free-port';

/**
 * `count` ports for the members of a cluster: the `given` ones, checked (as
 * many as members, each a TCP port, no two alike), or fresh free ones.
 * Throws naming `what` on a bad list.
 */
export async function portList(what: string, count: number, given?: readonly number[]): Promise<number[]> {
  if (given === undefined) return Promise.all(Array.from({ length: count }, () => freePort()));
  if (given.length !== count) throw new Error(`${what}: ${count} ports needed, ${given.length} given`);
  const bad = given.find((port) => !Number.isInteger(port) || port < 1 || port > 65_535);
  if (bad !== undefined) throw new Error(`${what}: ${bad} is not a TCP port`);
  if (new Set(given).size !== given.length) throw new Error(`${what}: a port is listed twice in ${given.join(', ')}`);
  return [...given];
}

/** Throws when two lists of one cluster share a port (e.g. client and bus ports). */
export function assertDisjoint(what: string, ...lists: ReadonlyArray<readonly number[]>): void {
  const seen = new Set<number>();
  for (const port of lists.flat()) {
    if (seen.has(port)) throw new Error(`${what}: port ${port} is given for two purposes`);
    seen.add(port);
  }
}

/** Throws unless `value` is an integer within [min, max], naming the option. */
export function assertIntegerOption(what: string, name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${what}: ${name} must be an integer from ${min} to ${max}, got ${value}`);
}
