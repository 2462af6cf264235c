import { ProtocolError } from '@spear/protocol';
/** The connection an `rpc` call comes from, as the backend gets it (PROTOCOL.md v1.1). */
export interface RpcCaller {
  uid: string;
  device: string;
  sessionId: string;
  node: string;
  /** What the connect hook attached; null without one. */
  meta: unknown;
}

/**
 * The `rpc` event's way to the app's backends: the profile's routes map a
 * method (exact, or a prefix ending in `.`) to a backend.
 *
 * Guarantee expected of an implementation: resolves with the backend's
 * `data`, or rejects within the route's timeout with a ProtocolError
 * (`not_found`: no route; `unavailable`: no live backend; `timeout`;
 * `too_large`: `data` over the body limit; `internal`: the backend failed
 * without choosing a code) or an AppError carrying the code the backend
 * chose. Never hangs; at most once per call unless the route says a retry
 * is safe.
 */
export interface RpcRoutes {
  call(caller: RpcCaller, method: string, data: unknown): Promise<unknown>;
}

/** The `rpc` event of a connection: through `routes`, or `not_found` for every method on a node without routes. */
export async function routeCall(routes: RpcRoutes | undefined, caller: RpcCaller, payload: { method: string; data?: unknown }): Promise<{ data: unknown }> {
  if (!routes) throw new ProtocolError('not_found', `no route for ${payload.method}`);
  return { data: await routes.call(caller, payload.method, payload.data ?? null) };
}
