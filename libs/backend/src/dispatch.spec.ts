import { describe, expect, it } from 'vitest';
import { dispatchHook, dispatchRpc } from './dispatch';
import { BackendError, type RpcCall } from './types';

const call = (method: string, data: unknown = null): RpcCall => ({ uid: 'alice', device: 'default', sessionId: 's', node: 'n', method, data, meta: null });

describe('dispatch', () => {
  const methods = {
    'chat.send': (c: RpcCall) => ({ sent: c.data }),
    'chat.': (c: RpcCall) => `any chat: ${c.method}`,
    'chat.admin.': () => 'admin',
    'shop.buy': () => {
      throw new BackendError('insufficient_funds', 'top up first');
    },
    'shop.crash': () => {
      throw new Error('bug');
    },
    'none.': () => undefined,
  };

  it('runs the exact method, else the longest prefix; no handler is not_found', async () => {
    expect(await dispatchRpc(methods, call('chat.send', 1))).toEqual({ data: { sent: 1 } });
    expect(await dispatchRpc(methods, call('chat.history'))).toEqual({ data: 'any chat: chat.history' });
    expect(await dispatchRpc(methods, call('chat.admin.ban'))).toEqual({ data: 'admin' });
    expect(await dispatchRpc(methods, call('none.x'))).toEqual({ data: null });
    expect(await dispatchRpc(methods, call('other'))).toEqual({ error: { code: 'not_found', message: 'no method other' } });
    expect(await dispatchRpc(methods, call('toString'))).toMatchObject({ error: { code: 'not_found' } });
  });

  it('turns a BackendError into {error}; anything else is thrown (the gateway answers internal)', async () => {
    expect(await dispatchRpc(methods, call('shop.buy'))).toEqual({ error: { code: 'insufficient_funds', message: 'top up first' } });
    await expect(dispatchRpc(methods, call('shop.crash'))).rejects.toThrow('bug');
    expect(() => new BackendError('Not Snake')).toThrow(/lowercase snake case/);
  });

  it('runs hooks; notification hooks answer {ok: true}', async () => {
    const told: string[] = [];
    const hooks = {
      connect: (c: { uid: string }) => ({ allow: c.uid !== 'mallory', groups: ['lobby'] }),
      undelivered: (c: { id: string }) => void told.push(c.id),
    };
    expect(await dispatchHook(hooks, 'connect', { uid: 'alice' })).toEqual({ allow: true, groups: ['lobby'] });
    expect(await dispatchHook(hooks, 'undelivered', { id: 'm1' })).toEqual({ ok: true });
    expect(told).toEqual(['m1']);
    await expect(dispatchHook(hooks, 'join', {})).rejects.toThrow('no join hook');
  });
});
