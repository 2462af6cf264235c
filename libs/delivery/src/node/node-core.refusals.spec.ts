import { afterEach, describe, expect, it } from 'vitest';
import { CoreCluster, settle } from './test-support/core-cluster';

// Every error code PROTOCOL.md names for client events, and that bad input never crashes or stores anything.
describe('NodeCore: refusals', () => {
  let cluster: CoreCluster;
  afterEach(() => cluster.close());

  it('bad_request names the field, for every event', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const a = await cluster.connect('n1', 'a');
    const cases: Array<[Parameters<typeof a.call>[0], unknown, string]> = [
      ['send', { to: 'b c', body: 1 }, 'to'],
      ['send', { to: 'b' }, 'body'],
      ['send', null, 'payload'],
      ['publish', { group: '', body: 1 }, 'group'],
      ['join', { group: 'g', since: 'yesterday' }, 'since'],
      ['leave', {}, 'group'],
      ['ack', { ids: [] }, 'ids'],
      ['ack', { ids: ['x'] }, 'ids.0'],
    ];
    for (const [event, payload, field] of cases) {
      const ack = await a.call(event, payload);
      expect(ack, `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect((ack as { error: { message: string } }).error.message.startsWith(field), JSON.stringify(ack)).toBe(true);
    }
    expect(cluster.stores.storedCount()).toBe(0);
  });

  it('too_large: nothing is stored or sent', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const [a, b] = [await cluster.connect('n1', 'a'), await cluster.connect('n1', 'b')];
    await b.call('join', { group: 'g' });
    const big = 'x'.repeat(2000);
    expect(await a.call('send', { to: 'b', body: big })).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(await a.call('publish', { group: 'g', body: big })).toMatchObject({ ok: false, error: { code: 'too_large' } });
    await settle();
    expect(b.conn.events.map((e) => e.event)).toEqual(['ready']);
    expect(cluster.stores.storedCount()).toBe(0);
  });

  it('rate_limited past the budget; the connection is closed past the strikes', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1', (o) => (o.rateLimit = { eventsPerSecond: 1, burst: 2, strikes: 2 }));
    const a = await cluster.connect('n1', 'a');
    const codes = [];
    for (let i = 0; i < 5; i++) {
      const ack = await a.call('leave', { group: 'g' });
      codes.push(ack.ok ? 'ok' : ack.error.code);
    }
    expect(codes).toEqual(['ok', 'ok', 'rate_limited', 'rate_limited', 'rate_limited']);
    expect(a.conn.closed).toBe(true); // third strike in a row
  });

  it('internal when the store fails: the error is logged, not sent, and the node keeps serving', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1');
    const a = await cluster.connect('n1', 'a');
    cluster.stores.failing = true;
    expect(await a.call('send', { to: 'b', body: 1 })).toEqual({ ok: false, error: { code: 'internal', message: 'internal error' } });
    expect(n1.logger.lines).toContain('event failed');
    cluster.stores.failing = false;
    expect(await a.call('send', { to: 'b', body: 1 })).toMatchObject({ ok: true });
  });

  it('a connection whose arrival fails is closed, not left half open', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1');
    cluster.stores.failing = true;
    const a = await cluster.connect('n1', 'a');
    expect(a.conn.closed).toBe(true);
    expect(a.conn.events).toEqual([]);
    expect(n1.core.sessionCount).toBe(0);
  });

  it('a send whose forward cannot leave (bus down) is still acked: the inbox has it', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    await cluster.addNode('n2');
    const a = await cluster.connect('n1', 'a');
    await cluster.connect('n2', 'b');
    cluster.network.down = true;
    expect(await a.call('send', { to: 'b', body: 1 })).toMatchObject({ ok: true });
    expect(cluster.stores.unacked('b').length).toBe(1);
  });

  it("a reply that throws (the socket went away) does not stop the connection's later events, and forgets its chain", async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1');
    const a = await cluster.connect('n1', 'a');
    await cluster.connect('n1', 'b');
    const failed = n1.core.receive(a.session, 'send', { to: 'b', body: 1 }, () => {
      throw new Error('socket gone');
    });
    const next = n1.core.receive(a.session, 'send', { to: 'b', body: 2 });
    await expect(failed).rejects.toThrow('socket gone');
    expect(await next).toMatchObject({ ok: true });
    await settle();
    expect(a.session.chain).toBeUndefined();
  });
});
