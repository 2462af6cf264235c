import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import { ProtocolError } from '@spear/protocol';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { Arrivals } from './arrivals';
import { GroupHistory } from './group-history';
import { Inbox } from './inbox';
import { RouteTable } from './route-table';

const msg = (id: string, to = 'bob') => ({ id, from: 'alice', to, body: { n: id }, ts: 1 });
// Not the legacy prefix: the stores must write under whatever prefix the profile gives them.
const keys = new RedisKeys('delivery-test:');

describe('delivery stores on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;

  beforeAll(async () => {
    dir = makeTempDir('spear-delivery-');
    server = await startRedis({ dir });
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  it('inbox: keeps write order, drops acked ids, stores a repeated id once, trims the oldest past the cap', async () => {
    const inbox = new Inbox(redis, keys, 3, 600);
    for (const id of ['11', '12', '13']) await inbox.add(msg(id));
    await inbox.add(msg('12'));
    expect((await inbox.read('bob')).map((m) => m.id)).toEqual(['11', '12', '13']);
    await inbox.ack('bob', ['12', '999']);
    expect((await inbox.read('bob')).map((m) => m.id)).toEqual(['11', '13']);
    for (const id of ['14', '15']) await inbox.add(msg(id));
    expect((await inbox.read('bob')).map((m) => m.id)).toEqual(['13', '14', '15']);
    expect(await redis.ttl(keys.inbox('bob').hash)).toBeGreaterThan(590);
    expect(await inbox.read('nobody')).toEqual([]);
  });

  it('inbox: add answers where the recipient is connected, also for a repeated id', async () => {
    const inbox = new Inbox(redis, keys, 10, 600);
    expect(await inbox.add(msg('21', 'carol'))).toEqual([]);
    await new Arrivals(redis, keys, 'node-x', 30).arrive('carol', true);
    await new Arrivals(redis, keys, 'node-y', 30).arrive('carol', true);
    expect((await inbox.add(msg('22', 'carol'))).sort()).toEqual(['node-x', 'node-y']);
    expect((await inbox.add(msg('22', 'carol'))).sort()).toEqual(['node-x', 'node-y']);
    expect((await inbox.read('carol')).map((m) => m.id)).toEqual(['21', '22']);
  });

  it('arrivals: one script returns the inbox, oldest first, and registers the route only when asked', async () => {
    const inbox = new Inbox(redis, keys, 10, 600);
    const arrivals = new Arrivals(redis, keys, 'node-z', 30);
    expect(await arrivals.arrive('dave', false)).toEqual([]);
    for (const id of ['31', '32']) await inbox.add(msg(id, 'dave'));
    expect((await arrivals.arrive('dave', false)).map((m) => m.id)).toEqual(['31', '32']);
    expect(await redis.smembers(keys.route('dave'))).toEqual([]);
    expect((await arrivals.arrive('dave', true)).map((m) => m.body)).toEqual([{ n: '31' }, { n: '32' }]);
    expect(await redis.smembers(keys.route('dave'))).toEqual(['node-z']);
    expect(await redis.ttl(keys.route('dave'))).toBeGreaterThan(25);
    expect(await redis.sismember(keys.nodeUsers('node-z'), 'dave')).toBe(1);
    // A message stored now finds the route: forwarded live, and read by the next arrival.
    expect(await inbox.add(msg('33', 'dave'))).toEqual(['node-z']);
    await inbox.ack('dave', ['31', '32']);
    expect((await arrivals.arrive('dave', false)).map((m) => m.id)).toEqual(['33']);
  });

  it('group history: since returns what followed; history_gone once trimmed past it', async () => {
    const history = new GroupHistory(redis, keys, 3, 600);
    for (const id of ['101', '102', '103']) await history.append({ id, group: 'g', from: 'a', body: id, ts: 1 });
    expect((await history.since('g', '101')).map((m) => m.id)).toEqual(['102', '103']);
    expect(await history.since('g', '103')).toEqual([]);
    await history.append({ id: '104', group: 'g', from: 'a', body: 4, ts: 1 });
    await expect(history.since('g', '100')).rejects.toThrow(ProtocolError);
    await expect(history.since('g', '100')).rejects.toMatchObject({ code: 'history_gone' });
    expect((await history.since('g', '101')).map((m) => m.id)).toEqual(['102', '103', '104']);
    expect(await history.since('empty', '1')).toEqual([]);
  });

  it('route table: nodes per uid with a TTL; a departed node is purged from its users', async () => {
    const a = new RouteTable(redis, keys, 'node-a', 30);
    const b = new RouteTable(redis, keys, 'node-b', 30);
    await new Arrivals(redis, keys, 'node-a', 30).arrive('u1', true);
    await new Arrivals(redis, keys, 'node-b', 30).arrive('u1', true);
    await new Arrivals(redis, keys, 'node-a', 30).arrive('u2', true);
    expect((await a.nodesOf('u1')).sort()).toEqual(['node-a', 'node-b']);
    expect(await redis.ttl(keys.route('u1'))).toBeGreaterThan(25);
    await b.offline('u1');
    expect(await a.nodesOf('u1')).toEqual(['node-a']);
    expect(await b.purgeNode('node-a')).toBe(2);
    expect(await a.nodesOf('u1')).toEqual([]);
    expect(await a.nodesOf('u2')).toEqual([]);
  });

  it('writes nothing outside the namespace it was given (runs last: sees every key the tests above left)', async () => {
    const written = await redis.keys('*');
    expect(written.length).toBeGreaterThan(0);
    expect(written.filter((key) => keys.familyOf(key) === undefined)).toEqual([]);
  });
});
