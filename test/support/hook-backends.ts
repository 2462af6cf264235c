import { createServer, type Server } from 'node:http';
import { serveBackend, SIGNATURE_HEADER, verifySignature, type Backend } from '@spear/backend';
import { backendPlanes } from './backend-planes';
import { freePort } from '@spear/testing';

/** What a test backend was asked, in order. */
export const hookCalls: Array<{ via: 'rpc' | 'http'; hook: string; payload: Record<string, unknown> }> = [];

/**
 * The join hook as an app serves it over Spear RPC, on libs/backend (service
 * `apphooks`, method `hook.join`): uids starting with "vip-" may join,
 * "slow-" uids get an answer only after 2 s.
 */
export async function startRpcHookBackend(profileDir: string): Promise<Backend> {
  return serveBackend({
    name: 'apphooks',
    ...backendPlanes(profileDir),
    hooks: {
      join: async (call) => {
        hookCalls.push({ via: 'rpc', hook: 'join', payload: { ...call } });
        if (call.uid.startsWith('slow-')) await new Promise((r) => setTimeout(r, 2000));
        return { allow: call.uid.startsWith('vip-') || call.uid.startsWith('slow-') };
      },
    },
  });
}

/** The connect hook: "blocked-" uids are refused; "vip-" uids join vip:welcome and carry meta. */
function connectAnswer(payload: Record<string, unknown>): object {
  const uid = String(payload['uid']);
  if (uid.startsWith('blocked-')) return { allow: false };
  if (uid.startsWith('vip-')) return { allow: true, groups: ['vip:welcome'], meta: { tier: 'gold', since: payload['sessionId'] } };
  return { allow: true };
}

/** The publish hook: refuses bodies with "spam", appends " (checked)" to a `text`. */
function publishAnswer(payload: Record<string, unknown>): object {
  const body = payload['body'] as { text?: string } | undefined;
  const text = String(body?.text ?? '');
  return text.includes('spam') ? { allow: false } : { allow: true, body: { ...body, text: `${text} (checked)` } };
}

/**
 * The connect, publish and disconnect hooks as an HTTP backend in any
 * language would serve them (one path each): it checks X-Spear-Signature
 * (401 when wrong) before anything else, and answers "slow" texts after 2 s.
 */
export async function startHttpHookBackend(secret: string): Promise<{ url: (hook: string) => string; badSignatures: () => number; close(): void }> {
  let bad = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (!verifySignature(raw, req.headers[SIGNATURE_HEADER] as string | undefined, secret)) {
        bad++;
        res.statusCode = 401;
        return res.end('{"error":"bad signature"}');
      }
      const payload = JSON.parse(raw.toString()) as Record<string, unknown>;
      const hook = String(req.url).slice(1);
      hookCalls.push({ via: 'http', hook, payload });
      const answer = hook === 'connect' ? connectAnswer(payload) : hook === 'publish' ? publishAnswer(payload) : { ok: true };
      const reply = () => res.end(JSON.stringify(answer));
      if (String((payload['body'] as { text?: string } | undefined)?.text ?? '').startsWith('slow')) setTimeout(reply, 2000);
      else reply();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: (hook) => `http://127.0.0.1:${port}/${hook}`,
    badSignatures: () => bad,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
