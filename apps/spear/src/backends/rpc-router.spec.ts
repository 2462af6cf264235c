import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { RouteConfig } from '@spear/config';
import { AppError, ProtocolError } from '@spear/protocol';
import { BackendCallError, type BackendCaller } from './backend-caller';
import { RpcRouter } from './rpc-router';

const caller = { uid: 'alice', device: 'phone', sessionId: 's1', node: 'spear-1', meta: null };
const route = (match: string, method: string, extra: Partial<RouteConfig> = {}): RouteConfig => ({ match, backend: { service: 'app', method }, timeoutMs: 100, retrySafe: false, ...extra });

/** A backend answering per RPC method name; it records each call. */
function router(routes: RouteConfig[], answer: (method: string, payload: Record<string, unknown>) => unknown) {
  const asked: Array<{ target: string; payload: Record<string, unknown>; options: object }> = [];
  const backend = {
    call: async (target: { method: string }, payload: Record<string, unknown>, options: object) => {
      asked.push({ target: target.method, payload, options });
      return answer(target.method, payload);
    },
  } as unknown as BackendCaller;
  const warnings: object[] = [];
  return { router: new RpcRouter(routes, backend, { maxBodyBytes: 32, logger: { warn: (o) => void warnings.push(o) }, registry: new Registry() }), asked, warnings };
}

describe('RpcRouter', () => {
  it('picks the exact route, then the longest prefix; no route is not_found', async () => {
    const r = router([route('chat.', 'chat'), route('chat.admin.', 'admin'), route('chat.send', 'send'), route('ping', 'ping')], (m) => ({ data: m }));
    expect(await r.router.call(caller, 'chat.send', null)).toBe('send');
    expect(await r.router.call(caller, 'chat.history', null)).toBe('chat');
    expect(await r.router.call(caller, 'chat.admin.ban', null)).toBe('admin');
    expect(await r.router.call(caller, 'ping', null)).toBe('ping');
    for (const method of ['pingx', 'chat', 'other.x']) await expect(r.router.call(caller, method, null)).rejects.toMatchObject({ code: 'not_found' });
  });

  it("sends the protocol's payload, hashed by uid, with the route's bound and retry flag", async () => {
    const r = router([route('a.', 'a', { timeoutMs: 250, retrySafe: true })], () => ({ data: { n: 1 } }));
    expect(await r.router.call(caller, 'a.b', { q: 1 })).toEqual({ n: 1 });
    expect(r.asked[0]).toEqual({ target: 'a', payload: { ...caller, method: 'a.b', data: { q: 1 } }, options: { timeoutMs: 250, hashKey: 'alice', retrySafe: true } });
  });

  it("passes the backend's own code on, as an answer or a thrown RpcError; anything else is internal", async () => {
    const answers: Record<string, () => unknown> = {
      chosen: () => ({ error: { code: 'insufficient_funds', message: 'top up first' } }),
      thrown: () => Promise.reject(new BackendCallError('failed', 'x', 'out_of_stock')),
      badCode: () => ({ error: { code: 'Not Snake', message: 'x' } }),
      crashed: () => Promise.reject(new BackendCallError('failed', 'remote_error: boom')),
      malformed: () => ({ result: 1 }),
      nothing: () => null,
    };
    const r = router([route('m.', 'm')], (_m, payload) => answers[String(payload['method']).slice(2)]!());
    await expect(r.router.call(caller, 'm.chosen', null)).rejects.toEqual(new AppError('insufficient_funds', 'top up first'));
    await expect(r.router.call(caller, 'm.thrown', null)).rejects.toMatchObject({ code: 'out_of_stock' });
    for (const m of ['badCode', 'crashed', 'malformed', 'nothing']) {
      const error = await r.router.call(caller, `m.${m}`, null).catch((e: unknown) => e);
      expect(error, m).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code, m).toBe('internal');
    }
  });

  it('maps a late, unreachable or method-less backend to timeout, unavailable and not_found; refuses oversized data before calling', async () => {
    const failures: Record<string, BackendCallError> = {
      late: new BackendCallError('timeout', 'late'),
      gone: new BackendCallError('unavailable', 'no provider'),
      unknown: new BackendCallError('no_method', 'no handler'),
    };
    const r = router([route('f.', 'f')], (_m, payload) => Promise.reject(failures[String(payload['method']).slice(2)]));
    await expect(r.router.call(caller, 'f.late', null)).rejects.toMatchObject({ code: 'timeout' });
    await expect(r.router.call(caller, 'f.gone', null)).rejects.toMatchObject({ code: 'unavailable' });
    await expect(r.router.call(caller, 'f.unknown', null)).rejects.toMatchObject({ code: 'not_found' });
    const calls = r.asked.length;
    await expect(r.router.call(caller, 'f.late', 'x'.repeat(40))).rejects.toMatchObject({ code: 'too_large' });
    expect(r.asked.length).toBe(calls);
  });

  it('returns null data for {data: null} and keeps any JSON the backend sent', async () => {
    const r = router([route('d.', 'd')], (_m, p) => ({ data: p['data'] }));
    expect(await r.router.call(caller, 'd.x', null)).toBeNull();
    expect(await r.router.call(caller, 'd.x', [1, 'two'])).toEqual([1, 'two']);
    // Bounded as what the client sends: data over maxBodyBytes (32 here) is the backend's failure.
    const big = router([route('b.', 'b')], () => ({ data: 'x'.repeat(100) }));
    await expect(big.router.call(caller, 'b.x', null)).rejects.toMatchObject({ code: 'internal' });
  });
});
