import { BackendError, type Hooks, type HookName, type MethodHandler, type RpcCall } from './types';

/** What the gateway expects back from a routed call: `{data}` or `{error: {code, message}}`. */
export type RpcAnswer = { data: unknown } | { error: { code: string; message: string } };

/**
 * Runs the app's handler of a routed `rpc` call: the method's exact name
 * first, then the longest prefix ending in `.` (a handler keyed `chat.` takes
 * every `chat.*` without one of its own). No handler: `not_found`. A
 * BackendError becomes `{error}`; anything else is rethrown (the gateway
 * answers `internal`).
 */
export async function dispatchRpc(methods: Readonly<Record<string, MethodHandler>>, call: RpcCall): Promise<RpcAnswer> {
  const handler = handlerOf(methods, String(call?.method ?? ''));
  if (!handler) return { error: { code: 'not_found', message: `no method ${String(call?.method)}` } };
  try {
    const data = await handler(call);
    return { data: data === undefined ? null : data };
  } catch (error) {
    if (error instanceof BackendError) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}

function handlerOf(methods: Readonly<Record<string, MethodHandler>>, method: string): MethodHandler | undefined {
  if (Object.hasOwn(methods, method)) return methods[method];
  let best: string | undefined;
  for (const key of Object.keys(methods)) if (key.endsWith('.') && method.startsWith(key) && (!best || key.length > best.length)) best = key;
  return best === undefined ? undefined : methods[best];
}

/** Runs the app's handler of a hook; a notification hook (disconnect, undelivered) answers `{ok: true}`. */
export async function dispatchHook(hooks: Hooks, name: HookName, call: unknown): Promise<unknown> {
  const handler = hooks[name] as ((call: unknown) => unknown) | undefined;
  if (!handler) throw new Error(`no ${name} hook in this backend`);
  const answer = await handler.call(hooks, call);
  return name === 'disconnect' || name === 'undelivered' ? { ok: true } : answer;
}
