import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ZOOKEEPER_AUTH, expireZooKeeperSession, makeTempDir, pollUntil, removeTempDir, startZooKeeper, type ZooKeeperHandle } from '@spear/testing';
import { ZooKeeperRegistry } from './zookeeper-registry';


describe('ZooKeeperRegistry on a real ZooKeeper', () => {
  let dir: string;
  let zk: ZooKeeperHandle;
  const opened: ZooKeeperRegistry[] = [];
  const open = (sessionTimeoutMs = 4000) => {
    const r = new ZooKeeperRegistry({ connect: zk.connectString, root: '/spear/registry-test', sessionTimeoutMs, connectTimeoutMs: 5000, auth: DEV_ZOOKEEPER_AUTH });
    opened.push(r);
    return r;
  };

  beforeAll(async () => {
    dir = makeTempDir('spear-registry-');
    zk = await startZooKeeper({ dir });
  });
  afterAll(async () => {
    await Promise.all(opened.map((r) => r.close()));
    await zk?.stop();
    removeTempDir(dir);
  });

  it('registers an ephemeral node with JSON data that others can list', async () => {
    const a = open();
    const b = open();
    await a.register('/services/demo/providers/a', { port: 1 });
    expect(await b.list('/services/demo/providers')).toEqual([{ name: 'a', data: { port: 1 } }]);
    await a.close();
    expect(await b.list('/services/demo/providers')).toEqual([]);
  });

  it('unregister removes the node at once; listing an absent path is empty', async () => {
    const a = open();
    await a.register('/x/one', 1);
    await a.unregister('/x/one');
    expect(await a.list('/x')).toEqual([]);
    expect(await a.list('/never/created')).toEqual([]);
  });

  it('takes over a node left by an earlier session of a restarted process', async () => {
    const before = open(10_000);
    await before.register('/members/n1', { gen: 1 });
    // The restarted process registers the same path while the old session still lives.
    const after = open();
    await after.register('/members/n1', { gen: 2 });
    expect(await after.list('/members')).toEqual([{ name: 'n1', data: { gen: 2 } }]);
  });

  it('fails ready() with a message naming the address when nothing listens', async () => {
    const r = new ZooKeeperRegistry({ connect: '127.0.0.1:1', root: '/x', sessionTimeoutMs: 2000, connectTimeoutMs: 300, auth: DEV_ZOOKEEPER_AUTH });
    await expect(r.ready()).rejects.toThrow('ZooKeeper at 127.0.0.1:1 unreachable after 300 ms');
    await r.close();
  });

  // retry: forcing an expiry from outside races the victim's own reconnect (see expireZooKeeperSession).
  it('after a session expiry, registers again in a new session without a restart', { retry: 1 }, async () => {
    const a = open(2000);
    const observer = open();
    await a.register('/services/expiry/providers/a', { v: 1 });
    const oldSession = a.sessionId;
    await expireZooKeeperSession(zk.connectString, a.sessionCredentials(), () => a.sessionId !== oldSession);
    await a.ready();
    const listed = await pollUntil(() => observer.list('/services/expiry/providers'), (l) => l.length === 1, 15_000);
    expect(listed).toEqual([{ name: 'a', data: { v: 1 } }]);
    expect(a.state).toBe('connected');
    expect(a.sessionId).not.toBe(oldSession);
  });

  it('keeps its session and registrations across a short ZooKeeper restart', async () => {
    const a = open(8000);
    await a.register('/services/restart/providers/a', { v: 2 });
    const session = a.sessionId;
    const port = zk.port;
    await zk.stop();
    zk = await startZooKeeper({ dir, port });
    const listed = await pollUntil(() => a.list('/services/restart/providers'), (l) => l.length === 1, 15_000);
    expect(listed).toEqual([{ name: 'a', data: { v: 2 } }]);
    expect(a.sessionId).toBe(session);
  });
});
