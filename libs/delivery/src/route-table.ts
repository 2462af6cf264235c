import type Redis from 'ioredis';

/** Where a user is connected, read-only: what ticket's push API and presence need (they hold no connection). */
export class RouteReader {
  constructor(protected readonly redis: Redis) {}

  /** The nodes holding `uid` (within the route TTL). */
  nodesOf(uid: string): Promise<string[]> {
    return this.redis.smembers(routeKey(uid));
  }
}

/**
 * Where each user is connected: a Redis set of node ids per uid, with a TTL
 * that connected nodes keep refreshing (as goim does), plus a set of uids
 * per node so survivors can clean up after a dead node.
 * Guarantee: a node listed for a uid held a connection of that uid within
 * the last TTL; a node that dies drops out within the TTL, or at once when a
 * survivor cleans up after it.
 */
export class RouteTable extends RouteReader {
  constructor(
    redis: Redis,
    private readonly nodeId: string,
    private readonly ttlSeconds: number,
  ) {
    super(redis);
  }

  async online(uid: string): Promise<void> {
    await this.redis.multi().sadd(routeKey(uid), this.nodeId).expire(routeKey(uid), this.ttlSeconds).sadd(nodeKey(this.nodeId), uid).exec();
  }

  async offline(uid: string): Promise<void> {
    await this.redis.multi().srem(routeKey(uid), this.nodeId).srem(nodeKey(this.nodeId), uid).exec();
  }

  /** Keeps every local user's entry alive; one pipeline per call. */
  async refresh(uids: Iterable<string>): Promise<void> {
    const pipeline = this.redis.pipeline();
    let n = 0;
    for (const uid of uids) {
      pipeline.sadd(routeKey(uid), this.nodeId).expire(routeKey(uid), this.ttlSeconds);
      n++;
    }
    pipeline.expire(nodeKey(this.nodeId), this.ttlSeconds * 2);
    if (n > 0) await pipeline.exec();
  }

  /** Removes a dead node from the routes of its users (idempotent; any survivor may run it). */
  async purgeNode(deadNodeId: string): Promise<number> {
    const uids = await this.redis.smembers(nodeKey(deadNodeId));
    const pipeline = this.redis.pipeline();
    for (const uid of uids) pipeline.srem(routeKey(uid), deadNodeId);
    pipeline.del(nodeKey(deadNodeId));
    await pipeline.exec();
    return uids.length;
  }
}

export const routeKey = (uid: string) => `spear:route:{${uid}}`;
const nodeKey = (nodeId: string) => `spear:node-users:${nodeId}`;
