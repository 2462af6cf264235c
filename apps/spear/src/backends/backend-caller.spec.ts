import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcClient } from '@spear/rpc';
import { SIGNATURE_HEADER } from '@spear/backend';
import { BackendCaller } from './backend-caller';

const SECRET = 'hook-secret-for-tests';

describe('BackendCaller over HTTP', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ path: string; body: string; signature: string | undefined }> = [];
  // Each path is a backend that behaves one way.
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
    '/echo': (_req, res, body) => res.end(JSON.stringify({ allow: true, got: JSON.parse(body) })),
    '/slow': (_req, res) => void setTimeout(() => res.end('{"allow":true}'), 2000),
    '/error': (_req, res) => ((res.statusCode = 500), res.end('{"allow":true}')),
    '/not-json': (_req, res) => res.end('<html>'),
    '/empty': (_req, res) => ((res.statusCode = 204), res.end()),
    '/huge': (_req, res) => res.end(JSON.stringify({ data: 'x'.repeat(5000) })),
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ path: req.url!, body, signature: req.headers[SIGNATURE_HEADER] as string | undefined });
        routes[req.url!]!(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const caller = new BackendCaller({} as RpcClient, SECRET, 4096);
  const call = (path: string, timeoutMs = 500) => caller.call({ url: `${base}${path}` }, { uid: 'alice', n: 1 }, { timeoutMs, hashKey: 'alice' });

  it('POSTs the JSON payload signed with the hex HMAC-SHA256 of the raw body, and returns the JSON answer', async () => {
    expect(await call('/echo')).toEqual({ allow: true, got: { uid: 'alice', n: 1 } });
    const last = seen.at(-1)!;
    expect(last.signature).toBe(createHmac('sha256', SECRET).update(last.body).digest('hex'));
  });

  it('takes a 2xx without a body as answered (null), and fails an answer over its size cap', async () => {
    expect(await call('/empty')).toBeNull();
    await expect(call('/huge')).rejects.toMatchObject({ reason: 'failed', message: expect.stringContaining('over 4096 bytes') });
  });

  it('fails within the timeout, and on an error status, a non-JSON answer or no server, naming why', async () => {
    const started = Date.now();
    await expect(call('/slow', 200)).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(call('/error')).rejects.toMatchObject({ reason: 'failed', message: expect.stringContaining('HTTP 500') });
    await expect(call('/not-json')).rejects.toMatchObject({ reason: 'failed', message: expect.stringContaining('not JSON') });
    await expect(caller.call({ url: 'http://127.0.0.1:9/none' }, {}, { timeoutMs: 500, hashKey: 'a' })).rejects.toMatchObject({ reason: 'unavailable' });
    await expect(new BackendCaller({} as RpcClient, undefined).call({ url: `${base}/echo` }, {}, { timeoutMs: 500, hashKey: 'a' })).rejects.toMatchObject({ reason: 'failed' });
  });
});
