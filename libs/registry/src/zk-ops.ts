import zookeeper, { type ACL, type Client, type Exception, type Stat } from 'node-zookeeper-client';

/** Promise wrappers over the callback API of node-zookeeper-client. */
export const zk = {
  create(client: Client, path: string, data: Buffer, acl: ACL[], mode: number): Promise<string> {
    return new Promise((resolve, reject) => client.create(path, data, acl, mode, (e, p) => (e ? reject(e) : resolve(p))));
  },
  /** Creates `path` and its missing parents, each with `acl`. */
  mkdirp(client: Client, path: string, acl: ACL[]): Promise<void> {
    return new Promise((resolve, reject) => client.mkdirp(path, acl, (e) => (e ? reject(e) : resolve())));
  },
  getAcl(client: Client, path: string): Promise<ACL[]> {
    return new Promise((resolve, reject) => client.getACL(path, (e, acls) => (e ? reject(e) : resolve(acls))));
  },
  setAcl(client: Client, path: string, acl: ACL[]): Promise<void> {
    return new Promise((resolve, reject) => client.setACL(path, acl, -1, (e) => (e ? reject(e) : resolve())));
  },
  getData(client: Client, path: string): Promise<{ data: Buffer | undefined; stat: Stat }> {
    return new Promise((resolve, reject) => client.getData(path, (e, data, stat) => (e ? reject(e) : resolve({ data, stat }))));
  },
  setData(client: Client, path: string, data: Buffer, version: number): Promise<void> {
    return new Promise((resolve, reject) => client.setData(path, data, version, (e) => (e ? reject(e) : resolve())));
  },
  remove(client: Client, path: string, version = -1): Promise<void> {
    return new Promise((resolve, reject) => client.remove(path, version, (e) => (e ? reject(e) : resolve())));
  },
  getChildren(client: Client, path: string): Promise<string[]> {
    return new Promise((resolve, reject) => client.getChildren(path, (e, children) => (e ? reject(e) : resolve(children))));
  },
};

/** True when `error` is the ZooKeeper exception `code` (e.g. NODE_EXISTS). */
export function isZkError(error: unknown, code: keyof typeof zookeeper.Exception): boolean {
  return (error as Exception | undefined)?.getCode?.() === (zookeeper.Exception as unknown as Record<string, number>)[code];
}

/** Errors after which the operation may or may not have happened and must be checked once reconnected. */
export function isConnectionError(error: unknown): boolean {
  return isZkError(error, 'CONNECTION_LOSS') || isZkError(error, 'SESSION_EXPIRED') || isZkError(error, 'OPERATION_TIMEOUT');
}

/** Parses znode data as JSON; data that is not JSON comes back as its string. */
export function parseData(data: Buffer | undefined): unknown {
  if (!data || data.length === 0) return null;
  const text = data.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
