import type { IncomingMessage, ServerResponse } from 'node:http';
import { dispatchHook, dispatchRpc } from './dispatch';
import { SIGNATURE_HEADER, verifySignature } from './signature';
import { HOOK_NAMES, type HookName, type Hooks, type MethodHandler, type RpcCall } from './types';

/** Largest request body the handler reads (a call is bounded by the gateway's body limit; this is a guard). */
const MAX_BODY_BYTES = 1 << 20;

/**
 * A node:http request handler serving an app's methods and hooks over HTTP:
 * `POST <base>/rpc` for routed calls and `POST <base>/hooks/<hook>` (profile:
 * `{"url": "https://app/spear/rpc"}`, `{"url": "https://app/spear/hooks/connect"}`).
 * Every request's X-Spear-Signature is checked first: a wrong or missing one
 * is 401 and nothing runs.
 */
export function httpBackend(options: { secret: string; methods?: Record<string, MethodHandler>; hooks?: Hooks; base?: string }) {
  const base = (options.base ?? '').replace(/\/$/, '');
  const methods = options.methods ?? {};
  const hooks = options.hooks ?? {};
  return (req: IncomingMessage, res: ServerResponse): void => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (req.method !== 'POST') return reply(405, { error: 'POST only' });
      if (!verifySignature(raw, req.headers[SIGNATURE_HEADER] as string | undefined, options.secret)) return reply(401, { error: 'bad signature' });
      let call: unknown;
      try {
        call = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply(400, { error: 'not JSON' });
      }
      const path = (req.url ?? '').split('?')[0]!;
      const hook = path.startsWith(`${base}/hooks/`) ? (path.slice(base.length + 7) as HookName) : undefined;
      const work = path === `${base}/rpc` ? dispatchRpc(methods, call as RpcCall) : hook && HOOK_NAMES.includes(hook) && hooks[hook] ? dispatchHook(hooks, hook, call) : undefined;
      if (!work) return reply(404, { error: `nothing at ${path}` });
      work.then(
        (answer) => reply(200, answer),
        () => reply(500, { error: 'the handler failed' }),
      );
    });
  };
}
