import { posix } from 'node:path';
import zookeeper, { type ACL, type Client } from 'node-zookeeper-client';
import { isConnectionError, isZkError, zk } from './zk-ops';

/**
 * Makes `path` an ephemeral node of `client`'s current session holding
 * `data`, with `acl`. A node left by an earlier process (or session) of ours
 * is taken over, because a restarted node keeps its id and its old session
 * may not have expired yet.
 */
export async function ensureEphemeral(client: Client, acl: ACL[], path: string, data: Buffer, logger?: { warn(o: object, m?: string): void }): Promise<void> {
  await zk.mkdirp(client, posix.dirname(path), acl);
  if (await tryCreate(client, acl, path, data)) return;
  const { data: existing, stat } = await zk.getData(client, path);
  if (stat.ephemeralOwner.equals(client.getSessionId())) {
    // Our own create succeeded before a connection loss hid its answer.
    if (!existing?.equals(data)) await zk.setData(client, path, data, stat.version);
    return;
  }
  logger?.warn({ path }, 'taking over a registration left by another session');
  await zk.remove(client, path, stat.version).catch((e: unknown) => {
    if (!isZkError(e, 'NO_NODE')) throw e;
  });
  if (!(await tryCreate(client, acl, path, data))) throw new Error(`${path} was registered again by another session while taking it over`);
}

/** Removes `path` if it is an ephemeral node of `client`'s current session; gone or unreachable is not an error. */
export async function removeIfOwned(client: Client, path: string): Promise<void> {
  try {
    const { stat } = await zk.getData(client, path);
    if (stat.ephemeralOwner.equals(client.getSessionId())) await zk.remove(client, path, stat.version);
  } catch (error) {
    if (!isZkError(error, 'NO_NODE') && !isConnectionError(error)) throw error;
  }
}

/** Creates the ephemeral node; false when it already exists. */
async function tryCreate(client: Client, acl: ACL[], path: string, data: Buffer): Promise<boolean> {
  try {
    await zk.create(client, path, data, acl, zookeeper.CreateMode.EPHEMERAL);
    return true;
  } catch (error) {
    if (isZkError(error, 'NODE_EXISTS')) return false;
    throw error;
  }
}
