import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { HooksConfig } from '@spear/config';
import { BackendCallError, type BackendCaller } from './backend-caller';
import { HookClient, NOTIFICATION_OUTCOMES, verdictOutcomes } from './hook-client';

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
  const hooksClient = new HookClient(hooks, b.caller, { maxBodyBytes: 64, maxGroupsPerConnection: 3, logger: { warn: (o) => void warnings.push(o) }, registry });
  return { hooks: hooksClient, asked: b.asked, warnings, registry };
}

describe('HookClient', () => {
  const info = { uid: 'alice', device: 'phone', node: 'spear-1', sessionId: 's1', ip: '127.0.0.1' };
  const connectHook = (onFailure: 'refuse' | 'allow') => ({ connect: rpcHook(onFailure), disconnect: rpcHook(onFailure) });

  it('connect: admits everyone plainly without a hook; with one, refuses or admits with groups and meta', async () => {
    expect(await client({}, () => ({ allow: false })).hooks.connect(info)).toEqual({ allow: true, groups: [], meta: null });
    const refusing = client(connectHook('allow'), () => ({ allow: false }));
    expect(await refusing.hooks.connect(info)).toEqual({ allow: false });
    expect(refusing.asked[0]!.payload).toEqual(info);
    const admitting = client(connectHook('refuse'), () => ({ allow: true, groups: ['a', 'b', 'a'], meta: { tier: 1 } }));
    expect(await admitting.hooks.connect(info)).toEqual({ allow: true, groups: ['a', 'b'], meta: { tier: 1 } });
    expect(await client(connectHook('refuse'), () => ({ allow: true })).hooks.connect(info)).toEqual({ allow: true, groups: [], meta: null });
  });

  it('connect: bad groups, too many groups or oversized meta are a failed call (its policy applies)', async () => {
    for (const answer of [{ allow: true, groups: ['bad name'] }, { allow: true, groups: ['a', 'b', 'c', 'd'] }, { allow: true, meta: 'x'.repeat(100) }]) {
      expect(await client(connectHook('refuse'), () => answer).hooks.connect(info)).toEqual({ allow: false });
      expect(await client(connectHook('allow'), () => answer).hooks.connect(info)).toEqual({ allow: true, groups: [], meta: null });
    }
  });

  it('disconnect: a notification, sent once, never waited for; a failure is logged', async () => {
    const c = client(connectHook('refuse'), () => Promise.reject(new BackendCallError('unavailable', 'gone')));
    c.hooks.disconnected({ uid: 'alice', device: 'phone', sessionId: 's1', reason: 'transport close' });
    await new Promise((r) => setTimeout(r, 10));
    expect(c.asked).toEqual([{ payload: { uid: 'alice', device: 'phone', sessionId: 's1', reason: 'transport close' }, hashKey: 'alice' }]);
    expect(c.warnings).toHaveLength(1);
    // A node draining many connections: at most 256 notifications in flight, the rest dropped and counted.
    const slow = client(connectHook('refuse'), () => new Promise(() => undefined));
    for (let i = 0; i < 300; i++) slow.hooks.disconnected({ uid: `u${i}`, device: 'd', sessionId: 's', reason: 'server shutting down' });
    expect(slow.asked).toHaveLength(256);
    expect(await slow.registry.getSingleMetricAsString('spear_hook_calls_total')).toContain('outcome="dropped"} 44');
    const none = client({}, () => ({}));
    none.hooks.disconnected({ uid: 'a', device: 'd', sessionId: 's', reason: 'r' });
    expect(none.asked).toEqual([]);
  });

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

  it('counts every hook with the outcome labels its kind of call states, whatever its failure policy', async () => {
    const counted = async (c: ReturnType<typeof client>) => {
      const metric = await c.registry.getSingleMetric('spear_hook_calls_total')!.get();
      return metric.values.map((v) => `${v.labels.hook}/${v.labels.outcome}=${v.value}`).sort();
    };
    const all = { connect: rpcHook('allow'), disconnect: rpcHook('allow'), join: rpcHook('refuse'), publish: rpcHook('allow'), undelivered: rpcHook('allow') };
    const failing = client(all, () => Promise.reject(new BackendCallError('unavailable', 'gone')));
    await failing.hooks.connect(info);
    await failing.hooks.join(caller, 'g');
    await failing.hooks.publish(caller, 'g', 1);
    await failing.hooks.undelivered({ uid: 'alice', id: 'm1', from: 'bob', ts: 1 });
    failing.hooks.disconnected({ uid: 'alice', device: 'phone', sessionId: 's1', reason: 'transport close' });
    await new Promise((r) => setTimeout(r, 10));
    // A notification's failure is `failed` even under onFailure: allow (its policy decides nothing).
    expect(await counted(failing)).toEqual(['connect/failed_allowed=1', 'disconnect/failed=1', 'join/failed_refused=1', 'publish/failed_allowed=1', 'undelivered/failed=1']);

    const answering = client(all, () => ({ allow: false }));
    await answering.hooks.connect(info);
    await answering.hooks.join(caller, 'g');
    expect(await answering.hooks.undelivered({ uid: 'alice', id: 'm1', from: 'bob', ts: 1 })).toBe(true);
    answering.hooks.disconnected({ uid: 'alice', device: 'phone', sessionId: 's1', reason: 'transport close' });
    await new Promise((r) => setTimeout(r, 10));
    // A notification answered `{allow: false}` is still only `answered`: its answer is not a verdict.
    expect(await counted(answering)).toEqual(['connect/refused=1', 'disconnect/answered=1', 'join/refused=1', 'undelivered/answered=1']);
  });

  it('the outcome sets: a verdict by its answer and its policy, a notification answered or failed', () => {
    expect([verdictOutcomes('allow').answered({ allow: true }), verdictOutcomes('allow').answered({ allow: false })]).toEqual(['allowed', 'refused']);
    expect([verdictOutcomes('allow').failed, verdictOutcomes('refuse').failed]).toEqual(['failed_allowed', 'failed_refused']);
    expect([NOTIFICATION_OUTCOMES.answered({ allow: false }), NOTIFICATION_OUTCOMES.failed]).toEqual(['answered', 'failed']);
  });
});
