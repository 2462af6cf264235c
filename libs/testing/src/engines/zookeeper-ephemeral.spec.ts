import { createClient, CreateMode, Event, type Client } from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until';
import { makeTempDir, removeTempDir } from './temp-dir';
import { startZooKeeper, type ZooKeeperHandle } from './zookeeper';
import { zkStatus } from './zookeeper-status';

/** Connects a client and waits for its session. */
async function connect(connectString: string): Promise<Client> {
  const client = createClient(connectString, { sessionTimeout: 4_000 });
  let connected = false;
  client.once('connected', () => (connected = true));
  client.connect();
  await until(() => connected, 10_000, `connecting to ZooKeeper at ${connectString}`);
  return client;
}

/** Adapts node-zookeeper-client's (error, value) callbacks to a promise. */
function call<T>(run: (callback: (error: unknown, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}

describe('ZooKeeper engine', () => {
  let dir: string;
  let zk: ZooKeeperHandle;

  beforeAll(async () => {
    dir = makeTempDir('spear-zk-');
    zk = await startZooKeeper({ dir });
  });

  afterAll(async () => {
    await zk?.stop();
    removeTempDir(dir);
  });

  it('reports standalone mode over srvr', async () => {
    expect(await zkStatus(zk.port)).toBe('standalone');
  });

  it('removes an ephemeral znode when the session that owns it closes', async () => {
    const owner = await connect(zk.connectString);
    const observer = await connect(zk.connectString);
    try {
      const parent = '/spear/members';
      const member = { id: 'gateway-1', host: '127.0.0.1', port: 4100 };
      await call<string>((cb) => owner.mkdirp(parent, cb));
      await call<string>((cb) =>
        owner.create(`${parent}/gateway-1`, Buffer.from(JSON.stringify(member)), CreateMode.EPHEMERAL, cb),
      );

      const data = await call<Buffer>((cb) => observer.getData(`${parent}/gateway-1`, cb));
      expect(JSON.parse(data.toString('utf8'))).toEqual(member);

      // A child watch fires once the member list changes, i.e. when the session ends.
      let changed = false;
      const before = await call<string[]>((cb) =>
        observer.getChildren(
          parent,
          (event) => (changed ||= event.getType() === Event.NODE_CHILDREN_CHANGED),
          cb,
        ),
      );
      expect(before).toEqual(['gateway-1']);

      owner.close();
      await until(() => changed, 10_000, 'child watch after closing the owner session');

      const after = await call<string[]>((cb) => observer.getChildren(parent, () => undefined, cb));
      expect(after).toEqual([]);
    } finally {
      owner.close();
      observer.close();
    }
  });
});
