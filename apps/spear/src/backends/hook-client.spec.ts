import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { HooksConfig } from '@spear/config';
import { BackendCallError, type BackendCaller } from './backend-caller';
import { HookClient } from './hook-client';

const caller = { uid: 'alice', device: 'phone', meta: null };
const rpcHook = (onFailure: 'refuse' | 'allow') => ({ backend: { service: 'app', method: 'hook' }, timeoutMs: 100, onFailure });

/** A backend whose answer (or failure) the test sets; it records what it was asked. */
function backend(answer: () => unknown): { caller: BackendCaller; asked: Array<{ payload: object; hashKey: string }> } {
  const asked: Array<{ payload: object; hashKey: string }> = [];
  const fake = {
    call: async (_target: unknown, payload: object, options: { hashKey: string }) => {
      asked.push({ payload, hashKey: options.hashKey });
      return answer();
    },
  };
  return { caller: fake as unknown as BackendCaller, asked };
}

function client(hooks: HooksConfig, answer: () => unknown) {
  const b = backend(answer);
  const warnings: object[] = [];
  const registry = new Registry();
  const hooksClient = new HookClient(hooks, b.caller, { maxBodyBytes: 64, logger: { warn: (o) => void warnings.push(o) }, registry });
  return { hooks: hooksClient, asked: b.asked, warnings, registry };
}

describe('HookClient', () => {
  it("asks the backend with the protocol's payloads, hashed by uid, and passes its verdict on", async () => {
    const c = client({ join: rpcHook('refuse'), publish: rpcHook('refuse') }, () => ({ allow: true, body: { text: 'rewritten' } }));
    expect(await c.hooks.join(caller, 'vip:1')).toEqual({ allow: true });
    expect(await c.hooks.publish(caller, 'vip:1', { text: 'hi' })).toEqual({ allow: true, body: { text: 'rewritten' } });
    expect(c.asked).toEqual([
      { payload: { uid: 'alice', device: 'phone', meta: null, group: 'vip:1' }, hashKey: 'alice' },
      { payload: { uid: 'alice', device: 'phone', group: 'vip:1', body: { text: 'hi' }, meta: null }, hashKey: 'alice' },
    ]);
    const counted = await c.registry.getSingleMetricAsString('spear_hook_calls_total');
    expect(counted).toContain('spear_hook_calls_total{hook="join",outcome="allowed"} 1');
  });

  it('a refusal is a refusal; an allow without body keeps the published one', async () => {
    const refusing = client({ join: rpcHook('allow'), publish: rpcHook('allow') }, () => ({ allow: false }));
    expect(await refusing.hooks.join(caller, 'g')).toEqual({ allow: false });
    expect(await refusing.hooks.publish(caller, 'g', 1)).toEqual({ allow: false });
    const plain = client({ publish: rpcHook('refuse') }, () => ({ allow: true }));
    expect(await plain.hooks.publish(caller, 'g', 1)).toEqual({ allow: true });
  });

  it('a failed, late or malformed answer follows the failure policy, logged and counted', async () => {
    const answers: Array<() => unknown> = [
      () => Promise.reject(new BackendCallError('timeout', 'late')),
      () => Promise.reject(new BackendCallError('unavailable', 'no provider')),
      () => ({ allow: 'yes' }),
      () => null,
      () => ({ allow: true, body: 'x'.repeat(100) }), // a replacement over maxBodyBytes
    ];
    for (const onFailure of ['refuse', 'allow'] as const) {
      for (const answer of answers) {
        const c = client({ join: rpcHook(onFailure), publish: rpcHook(onFailure) }, answer);
        const verdict = await c.hooks.publish(caller, 'g', 'original');
        expect(verdict).toEqual({ allow: onFailure === 'allow' }); // allowed as published, never with a bad body
        expect(c.warnings).toHaveLength(1);
      }
    }
    const c = client({ join: rpcHook('allow') }, () => Promise.reject(new BackendCallError('timeout', 'late')));
    await c.hooks.join(caller, 'g');
    expect(c.warnings[0]).toMatchObject({ hook: 'join', reason: 'timeout', onFailure: 'allow' });
    expect(await c.registry.getSingleMetricAsString('spear_hook_calls_total')).toContain('outcome="failed_allowed"} 1');
  });
});
