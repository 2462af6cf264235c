/** An RPC route: a method of a service. Handlers use it as their @MessagePattern. */
export interface RpcPattern {
  service: string;
  method: string;
}

const cache = new Map<string, string>();

/**
 * The wire form of a pattern: the same string Nest's normalizePattern makes
 * of the object (JSON, keys sorted), so handlers declared with
 * `@MessagePattern({ service, method })` match. Cached: it is on every call.
 */
export function patternKey(service: string, method: string): string {
  const k = `${service}\u0000${method}`;
  let key = cache.get(k);
  if (key === undefined) {
    key = JSON.stringify({ method, service });
    cache.set(k, key);
  }
  return key;
}

const parsed = new Map<string, RpcPattern | undefined>();

/** Reads service and method back from a wire pattern; undefined if it is not one of ours. Cached per key. */
export function parsePatternKey(key: string): RpcPattern | undefined {
  if (parsed.has(key)) return parsed.get(key);
  const pattern = parseUncached(key);
  // Bounded: garbage patterns from a bad client must not grow the cache forever.
  if (parsed.size < 10_000) parsed.set(key, pattern);
  return pattern;
}

function parseUncached(key: string): RpcPattern | undefined {
  try {
    const v = JSON.parse(key) as Partial<RpcPattern>;
    return typeof v.service === 'string' && typeof v.method === 'string' ? { service: v.service, method: v.method } : undefined;
  } catch {
    return undefined;
  }
}
