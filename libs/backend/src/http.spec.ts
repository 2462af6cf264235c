import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpBackend } from './http';
import { verifySignature } from './signature';
import { BackendError } from './types';

const SECRET = 'backend-http-secret-0123';

describe('httpBackend', () => {
  let server: Server;
  let base: string;
  const post = async (path: string, payload: unknown, secret = SECRET) => {
    const body = JSON.stringify(payload);
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'x-spear-signature': createHmac('sha256', secret).update(body).digest('hex') }, body });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    const handler = httpBackend({
      secret: SECRET,
      base: '/spear',
      methods: {
        'echo.': (c) => ({ echo: c.data, uid: c.uid }),
        'buy': () => {
          throw new BackendError('out_of_stock');
        },
        'crash': () => {
          throw new Error('bug');
        },
      },
      hooks: { publish: (c) => ({ allow: true, body: `${String(c.body)}!` }), disconnect: () => undefined },
    });
    server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('serves rpc calls and hooks under its base once the signature checks out', async () => {
    expect(await post('/spear/rpc', { uid: 'a', method: 'echo.x', data: [1] })).toEqual({ status: 200, body: { data: { echo: [1], uid: 'a' } } });
    expect(await post('/spear/rpc', { method: 'buy' })).toEqual({ status: 200, body: { error: { code: 'out_of_stock', message: 'out_of_stock' } } });
    expect(await post('/spear/hooks/publish', { body: 'hi' })).toEqual({ status: 200, body: { allow: true, body: 'hi!' } });
    expect(await post('/spear/hooks/disconnect', { uid: 'a' })).toEqual({ status: 200, body: { ok: true } });
  });

  it('refuses a wrong or missing signature with 401 before running anything; unknown paths 404; a crash 500', async () => {
    expect((await post('/spear/rpc', { method: 'echo.x' }, 'another-secret-0123456')).status).toBe(401);
    expect((await fetch(`${base}/spear/rpc`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await post('/spear/hooks/join', {})).status).toBe(404); // no join hook here
    expect((await post('/elsewhere', {})).status).toBe(404);
    expect((await post('/spear/rpc', { method: 'crash' })).status).toBe(500);
  });

  it('verifies signatures in constant time, any length given', () => {
    const sig = createHmac('sha256', SECRET).update('body').digest('hex');
    expect(verifySignature('body', sig, SECRET)).toBe(true);
    for (const bad of [undefined, '', 'zz', sig.slice(2), `${sig}00`]) expect(verifySignature('body', bad, SECRET)).toBe(false);
  });
});
