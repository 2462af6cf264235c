import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeChannelPrefix, RedisBus, type Envelope } from '@spear/bus';
import { RedisKeys } from '@spear/catalog';
import type { MsgEvent } from '@spear/protocol';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { TEST_LOG_OPTIONS } from '../node/test-support/memory-stores';
import { UserLog } from './user-log';

// The common append publishing its own forward (LogForwarding), heard by real RedisBus nodes on the same real Redis.
describe('UserLog.append with forwarding, on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;
  let keys: RedisKeys;
  let namespaces = 0;
  const buses: RedisBus[] = [];

  beforeAll(async () => {
    dir = makeTempDir('spear-append-forward-');
    server = await startRedis({ dir });
    redis = new Redis(server.url);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  /** A node's bus on this test's channels, recording what it hears. */
  async function node(id: string): Promise<Envelope[]> {
    const heard: Envelope[] = [];
    const bus = new RedisBus({ url: server.url, keyPrefix: keys.channelPrefix });
    buses.push(bus);
    await bus.start(id, (envelope) => heard.push(envelope));
    return heard;
  }

  /** A fresh namespace; `bob` connected on n1 (the writer) and n2, his log started by a first message (a new log: the full script). */
  async function setUp(forwarding = true) {
    keys = new RedisKeys(`append-forward:${++namespaces}:`);
    const log = new UserLog(redis, keys, TEST_LOG_OPTIONS, forwarding ? { nodeChannelPrefix: nodeChannelPrefix(keys.channelPrefix), nodeId: 'n1' } : undefined);
    await log.arrive('bob', 'phone', { id: 'n1', routeTtlSeconds: 60 });
    await log.arrive('bob', 'laptop', { id: 'n2', routeTtlSeconds: 60 });
    const [onN1, onN2, onN3] = [await node('n1'), await node('n2'), await node('n3')];
    return { log, onN1, onN2, onN3 };
  }

  const message = (id: string, body: unknown = { text: 'hi' }): MsgEvent => ({ id, from: 'alice', to: 'bob', body, ts: Date.now() });
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it("publishes the message, with its seq, on the channel of every other node holding the recipient, in the append's own step", async () => {
    const { log, onN1, onN2, onN3 } = await setUp();
    const first = await log.append('bob', message('1'), { kind: 'send' });
    expect(first.forwarded).toBeUndefined(); // a new log is the full script's: the writer forwards it
    // Quotes, braces, a backslash and characters beyond ASCII must cross as the bus would carry them.
    const tricky = message('2', { text: 'a "quoted" {brace} \\ é 🎉', n: [1, { deep: null }] });
    const stored = await log.append('bob', tricky, { kind: 'send' });
    expect(stored).toEqual({ seq: 2, nodes: expect.arrayContaining(['n1', 'n2']), forwarded: true });
    await until(() => onN2.length > 0);
    expect(onN2).toEqual([{ t: 'msg', p: { ...tricky, seq: 2 } }]);
    expect(onN1).toEqual([]); // the writer's own sessions are its own business
    expect(onN3).toEqual([]); // a node that does not hold bob hears nothing
  });

  it('leaves a repeat, a sender copy and a refused append to the writer: nothing published', async () => {
    const { log, onN2 } = await setUp();
    await log.append('bob', message('1'), { kind: 'send' });
    expect((await log.append('bob', message('2'), { kind: 'send' })).forwarded).toBe(true);
    await until(() => onN2.length > 0);
    expect(await log.append('bob', message('2'), { kind: 'send' })).toEqual({ seq: 2, nodes: expect.arrayContaining(['n1', 'n2']) });
    expect((await log.append('bob', { ...message('3'), from: 'bob', to: 'carol' }, { kind: 'copy' })).forwarded).toBeUndefined();
    await log.append('dave', message('4'), { kind: 'send' }); // dave's log starts...
    await expect(log.append('dave', message('5'), { kind: 'send', offlineAllowed: false })).rejects.toMatchObject({ code: 'rate_limited' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(onN2.map((envelope) => (envelope.p as MsgEvent).id)).toEqual(['2']);
  });

  it('publishes nothing without forwarding: the common append is as before', async () => {
    const { log, onN2 } = await setUp(false);
    await log.append('bob', message('1'), { kind: 'send' });
    expect(await log.append('bob', message('2'), { kind: 'send' })).toEqual({ seq: 2, nodes: expect.arrayContaining(['n1', 'n2']) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(onN2).toEqual([]);
  });

  it('keeps the order of the appends on the receiving node', async () => {
    const { log, onN2 } = await setUp();
    await log.append('bob', message('0'), { kind: 'send' });
    const ids = Array.from({ length: 50 }, (_, i) => String(i + 1));
    await Promise.all(ids.map((id) => log.append('bob', message(id), { kind: 'send' })));
    await until(() => onN2.length >= ids.length);
    const heard = onN2.map((envelope) => envelope.p as MsgEvent);
    expect(heard.map((m) => m.id)).toEqual(ids);
    expect(heard.map((m) => m.seq)).toEqual(ids.map((_, i) => i + 2));
  });
});
