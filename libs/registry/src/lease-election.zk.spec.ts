import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ZOOKEEPER_AUTH, expireZooKeeperSession, makeTempDir, removeTempDir, startZooKeeper, until, type ZooKeeperHandle } from '@spear/testing';
import { ZooKeeperRegistry } from './zookeeper-registry';


describe('leases and leader election on a real ZooKeeper', () => {
  let dir: string;
  let zk: ZooKeeperHandle;
  const opened: ZooKeeperRegistry[] = [];
  const open = (sessionTimeoutMs = 4000) => {
    const r = new ZooKeeperRegistry({ connect: zk.connectString, root: '/spear/lease-test', sessionTimeoutMs, connectTimeoutMs: 5000, auth: DEV_ZOOKEEPER_AUTH });
    opened.push(r);
    return r;
  };

  beforeAll(async () => {
    dir = makeTempDir('spear-lease-');
    zk = await startZooKeeper({ dir });
  });
  afterAll(async () => {
    await Promise.all(opened.map((r) => r.close()));
    await zk?.stop();
    removeTempDir(dir);
  });

  it('gives live instances different numbers, the lowest free first', async () => {
    const [a, b, c] = [open(), open(), open()];
    const la = await a.lease('/workers', { min: 0, max: 3 });
    const lb = await b.lease('/workers', { min: 0, max: 3 });
    expect([la.id, lb.id]).toEqual([0, 1]);
    expect(la.valid && lb.valid).toBe(true);
    await la.release();
    expect((await c.lease('/workers', { min: 0, max: 3 })).id).toBe(0);
  });

  it('refuses when the range is full', async () => {
    const a = open();
    await a.lease('/full', { min: 5, max: 5 });
    await expect(open().lease('/full', { min: 5, max: 5 })).rejects.toThrow('no free number in [5, 5] under /spear/lease-test/full');
  });

  it('loses the lease with its session and takes the same number again', { retry: 1 }, async () => {
    const a = open(2000);
    const lease = await a.lease('/expiry', { min: 0, max: 9 });
    const lost = new Promise<void>((r) => lease.once('lost', () => r()));
    const old = a.sessionId;
    await expireZooKeeperSession(zk.connectString, a.sessionCredentials(), () => a.sessionId !== old);
    await lost;
    await until(() => lease.valid);
    expect(lease.id).toBe(0);
  });

  it('elects one leader; the next candidate takes over when it leaves', async () => {
    const [a, b, c] = [open(), open(), open()];
    const ea = await a.elect('/leader', { who: 'a' });
    const eb = await b.elect('/leader', { who: 'b' });
    const ec = await c.elect('/leader', { who: 'c' });
    await until(() => ea.isLeader);
    expect([eb.isLeader, ec.isLeader]).toEqual([false, false]);
    const elected = new Promise<void>((r) => eb.once('elected', () => r()));
    await ea.close();
    await elected;
    expect([ea.isLeader, eb.isLeader, ec.isLeader]).toEqual([false, true, false]);
  });

  // A session expiry takes ZooKeeper a few seconds more on a loaded machine (CI runs two suites at once);
  // a retry elects under a path of its own, so the first attempt's candidates cannot stand in its way.
  it('moves leadership away from a leader whose session expires', { retry: 1, timeout: 60_000 }, async () => {
    const path = `/leader2-${Date.now()}`;
    const [a, b] = [open(2000), open()];
    const ea = await a.elect(path);
    const eb = await b.elect(path);
    await until(() => ea.isLeader);
    const old = a.sessionId;
    await expireZooKeeperSession(zk.connectString, a.sessionCredentials(), () => a.sessionId !== old);
    await until(() => eb.isLeader, 20_000);
    // The old leader rejoined as a candidate behind the new one.
    await until(() => a.state === 'connected', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(ea.isLeader).toBe(false);
  });
});
