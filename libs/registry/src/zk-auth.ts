import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import zookeeper, { type ACL, type Client } from 'node-zookeeper-client';
import { isZkError, zk } from './zk-ops';

/** The digest identity every process of a deployment authenticates as (profile: zookeeper.user, secrets.zookeeperPassword). */
export interface ZooKeeperAuth {
  user: string;
  password: string;
}

/**
 * The ACL of every znode the deployment creates: all rights to its digest
 * user, none to anyone else (not even read: provider addresses, node ids and
 * boot ids are nobody else's business). ZooKeeper stores and compares the
 * digest base64(sha1("user:password")), never the password.
 */
export function deploymentAcl(auth: ZooKeeperAuth): ACL[] {
  const digest = createHash('sha1').update(`${auth.user}:${auth.password}`).digest('base64');
  return [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', `${auth.user}:${digest}`))];
}

/**
 * The ACL of the znodes above a root (`/spear` above `/spear/local`), when this
 * deployment creates them: everything to its user, and to anyone the right to
 * read and to create children — other deployments keep their roots beside
 * ours, each under its own ACL. Nobody else may delete (a znode with children
 * cannot be deleted anyway), rewrite or re-ACL them.
 */
export function parentAcl(auth: ZooKeeperAuth): ACL[] {
  return [...deploymentAcl(auth), new zookeeper.ACL(zookeeper.Permission.READ | zookeeper.Permission.CREATE, new zookeeper.Id('world', 'anyone'))];
}

/** Adds the digest credentials to a session (sent on every connect of this client). */
export function authenticate(client: Client, auth: ZooKeeperAuth): void {
  client.addAuthInfo('digest', Buffer.from(`${auth.user}:${auth.password}`));
}

const sameAcl = (a: ACL[], b: ACL[]) => a.length === b.length && a.every((x, i) => x.perms === b[i]!.perms && x.id.scheme === b[i]!.id.scheme && x.id.id === b[i]!.id.id);

/** At most this many znodes are walked when securing a root: a deployment has tens. */
const MAX_SECURED_NODES = 10_000;

/**
 * Makes sure nobody but the deployment's user can touch anything under
 * `root`: creates it with the ACL when absent, and moves every existing znode
 * that still has another ACL (made before ACLs, or open) to the deployment's.
 * A node whose ACL this user may not change is an error: someone else owns
 * the root, and the process must not register itself under it.
 */
export async function secureRoot(client: Client, root: string, acl: ACL[], parents: ACL[], log?: (path: string) => void): Promise<void> {
  const refused = (error: unknown): never => {
    if (isZkError(error, 'NO_AUTH')) throw new Error(`znode ${root} or a parent belongs to another ZooKeeper user: this deployment cannot create its root there`);
    throw error;
  };
  if (posix.dirname(root) !== '/') await zk.mkdirp(client, posix.dirname(root), parents).catch(refused);
  const created = await zk.create(client, root, Buffer.alloc(0), acl, zookeeper.CreateMode.PERSISTENT).then(
    () => true,
    (error: unknown) => (isZkError(error, 'NODE_EXISTS') ? false : refused(error)),
  );
  if (created) return; // a root just made is ours and empty: nothing to walk
  const queue = [root];
  for (let walked = 0; queue.length > 0 && walked < MAX_SECURED_NODES; walked++) {
    const path = queue.shift()!;
    let current: ACL[];
    try {
      current = await zk.getAcl(client, path);
      if (!sameAcl(current, acl)) {
        await zk.setAcl(client, path, acl);
        log?.(path);
      }
      for (const child of await zk.getChildren(client, path)) queue.push(posix.join(path, child));
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) continue; // an ephemeral node gone meanwhile
      if (isZkError(error, 'NO_AUTH')) throw new Error(`znode ${path} belongs to another ZooKeeper user: this deployment (${root}) cannot use it`);
      throw error;
    }
  }
}
