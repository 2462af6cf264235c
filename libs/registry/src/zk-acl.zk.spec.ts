import zookeeper, { createClient, type Client } from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ZOOKEEPER_AUTH, makeTempDir, removeTempDir, startZooKeeper, until, type ZooKeeperHandle } from '@spear/testing';
import { authenticate, deploymentAcl, type ZooKeeperAuth } from './zk-auth';
import { isZkError, zk } from './zk-ops';
import { ZooKeeperRegistry } from './zookeeper-registry';

/** A plain client, authenticated as `auth` when given: what an intruder on the network can open. */
async function plainClient(connect: string, auth?: ZooKeeperAuth): Promise<Client> {
  const client = createClient(connect, { sessionTimeout: 4000 });
  if (auth) authenticate(client, auth);
  let connected = false;
  client.once('connected', () => (connected = true));
  client.connect();
  await until(() => connected, 10_000);
  return client;
}

/** world:anyone may do anything: what znodes had before ACLs. */
const OPEN = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))];

const errorCode = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (isZkError(error, 'NO_AUTH') ? 'NO_AUTH' : String(error)),
  );

/** Digest ACLs on a real ZooKeeper: nobody without the deployment's password reads or rewrites its znodes. */
describe('ZooKeeper ACLs of a deployment', () => {
  let dir: string;
  let zkh: ZooKeeperHandle;
  const closers: Array<() => unknown> = [];
  const registry = (root: string, auth: ZooKeeperAuth = DEV_ZOOKEEPER_AUTH, warnings: string[] = []) => {
    const r = new ZooKeeperRegistry({ connect: zkh.connectString, root, sessionTimeoutMs: 4000, connectTimeoutMs: 5000, auth, logger: { info: () => undefined, warn: (o: object) => warnings.push(JSON.stringify(o)) } });
    closers.push(() => r.close());
    return r;
  };
  const client = async (auth?: ZooKeeperAuth) => {
    const c = await plainClient(zkh.connectString, auth);
    closers.push(() => c.close());
    return c;
  };

  beforeAll(async () => {
    dir = makeTempDir('spear-zk-acl-');
    zkh = await startZooKeeper({ dir });
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await zkh?.stop();
    removeTempDir(dir);
  });

  it('gives every znode it creates to the deployment user alone', async () => {
    const r = registry('/acl/a');
    await r.ready();
    await r.register('/nodes/spear/spear-1', { url: 'http://real:1' });
    const c = await client(DEV_ZOOKEEPER_AUTH);
    for (const path of ['/acl/a', '/acl/a/nodes', '/acl/a/nodes/spear', '/acl/a/nodes/spear/spear-1']) {
      const acl = await zk.getAcl(c, path);
      expect(acl.map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`)).toEqual(deploymentAcl(DEV_ZOOKEEPER_AUTH).map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`));
    }
  });

  it('refuses reads and rewrites without the password, or with the wrong one', async () => {
    for (const intruder of [await client(), await client({ user: DEV_ZOOKEEPER_AUTH.user, password: 'guessed-password' })]) {
      expect(await errorCode(zk.getData(intruder, '/acl/a/nodes/spear/spear-1'))).toBe('NO_AUTH');
      expect(await errorCode(zk.getChildren(intruder, '/acl/a/nodes/spear'))).toBe('NO_AUTH');
      // The attack of the review: delete a spear node's znode and put another URL in its place.
      expect(await errorCode(zk.remove(intruder, '/acl/a/nodes/spear/spear-1'))).toBe('NO_AUTH');
      expect(await errorCode(zk.create(intruder, '/acl/a/nodes/spear/rogue', Buffer.from('{"url":"http://evil"}'), OPEN, zookeeper.CreateMode.EPHEMERAL))).toBe('NO_AUTH');
    }
    const owner = registry('/acl/a');
    await owner.ready();
    expect((await owner.list('/nodes/spear')).map((e) => e.name)).toEqual(['spear-1']);
  });

  it('takes over a root left open (made before ACLs) and everything under it', async () => {
    const open = await client();
    await zk.mkdirp(open, '/acl-legacy/services/ticket/providers', OPEN);
    const warnings: string[] = [];
    const r = registry('/acl-legacy', DEV_ZOOKEEPER_AUTH, warnings);
    await r.ready();
    expect(warnings.join()).toContain('/acl-legacy/services/ticket/providers');
    expect(await errorCode(zk.create(open, '/acl-legacy/services/ticket/providers/rogue', Buffer.from('x'), OPEN, zookeeper.CreateMode.EPHEMERAL))).toBe('NO_AUTH');
  });

  it('lets deployments of other users keep their roots beside ours under a shared parent', async () => {
    const ours = registry('/shared/ours');
    await ours.ready();
    const theirs = registry('/shared/theirs', { user: 'someone-else', password: 'their-password-123' });
    await theirs.ready();
    await theirs.register('/x', 1);
    // An older build without credentials too (a benchmark's baseline): it may create a root there, nothing of ours.
    const open = await client();
    await zk.mkdirp(open, '/shared/legacy/services', OPEN);
    expect(await errorCode(zk.remove(open, '/shared/ours'))).toBe('NO_AUTH');
    expect(await errorCode(zk.setAcl(open, '/shared', OPEN))).toBe('NO_AUTH');
  });

  it('will not start under a root another ZooKeeper user owns', async () => {
    const other = registry('/acl-taken', { user: 'someone-else', password: 'their-password-123' });
    await other.ready();
    await expect(registry('/acl-taken').ready()).rejects.toThrow(/znode \/acl-taken belongs to another ZooKeeper user/);
  });
});
