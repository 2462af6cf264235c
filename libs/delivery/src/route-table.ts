import { shardedPipeline, slotGroups, type RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';

/** Where a user is connected, read-only: what ticket's push API and presence need (they hold no connection). */
export class RouteReader {
  /** `keys`: the profile's key names (libs/catalog). */
  constructor(
    protected readonly redis: RedisClient,
    protected readonly keys: RedisKeys,
  ) {}

  /** The nodes holding `uid` (within the route TTL). */
  nodesOf(uid: string): Promise<string[]> {
    return this.redis.smembers(this.keys.route(uid));
  }
}

/** Re-arms the node's entry in every route key given (all in one slot on a cluster: slotGroups). */
const REFRESH = `
for i = 1, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[1])
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return #KEYS`;

/**
 * Uids per refresh command: one command for all of a node's users would hold
 * every key string of them at once (tens of MiB at 20,000 users, promoted to
 * the old generation before the reply comes: RSS that scales with
 * connections); chunks keep that bounded and Redis is never blocked long.
 */
const REFRESH_CHUNK = 500;

/**
 * Where each user is connected: a Redis set of node ids per uid, with a TTL
 * that connected nodes keep refreshing (as goim does), plus a set of uids
 * per node so survivors can clean up after a dead node.
 * Guarantee: a node listed for a uid held a connection of that uid within
 * the last TTL; a node that dies drops out within the TTL, or at once when a
 * survivor cleans up after it.
 * A connection comes online through Arrivals (with its inbox read in the
 * same script); going offline, refreshing and purging are here.
 * The route (`{uid}`, on the user's slot) and the node's uid index are on
 * different slots of a cluster, so no script takes both: the index is added
 * to before the route and removed from after it, so it always covers the
 * routes naming the node (what purgeNode relies on); an extra uid in it is harmless.
 */
export class RouteTable extends RouteReader {
  constructor(
    redis: RedisClient,
    keys: RedisKeys,
    private readonly nodeId: string,
    private readonly ttlSeconds: number,
  ) {
    super(redis, keys);
    redis.defineCommand('spearRouteRefresh', { lua: REFRESH });
  }

  private get commands(): RouteCommands {
    return this.redis as unknown as RouteCommands;
  }

  async offline(uid: string): Promise<void> {
    await this.redis.srem(this.keys.route(uid), this.nodeId);
    await this.redis.srem(this.keys.nodeUsers(this.nodeId), uid);
  }

  /**
   * Keeps every local user's entry alive: REFRESH_CHUNK users per command,
   * one chunk at a time (on a cluster, a chunk holds the users of one slot,
   * and the chunks of one batch go out together).
   */
  async refresh(uids: Iterable<string>): Promise<void> {
    let keys: string[] = [];
    for (const uid of uids) {
      keys.push(this.keys.route(uid));
      if (keys.length === REFRESH_CHUNK) {
        await this.refreshRoutes(keys);
        keys = [];
      }
    }
    if (keys.length > 0) await this.refreshRoutes(keys);
    await this.redis.expire(this.keys.nodeUsers(this.nodeId), this.ttlSeconds * 2);
  }

  private async refreshRoutes(keys: string[]): Promise<void> {
    await Promise.all(slotGroups(this.redis, keys, REFRESH_CHUNK).map((group) => this.commands.spearRouteRefresh(group.length, ...group, this.nodeId, this.ttlSeconds)));
  }

  /** Removes a dead node from the routes of its users (idempotent; any survivor may run it). */
  async purgeNode(deadNodeId: string): Promise<number> {
    const uids = await this.redis.smembers(this.keys.nodeUsers(deadNodeId));
    const pipeline = shardedPipeline(this.redis);
    for (const uid of uids) pipeline.srem(this.keys.route(uid), deadNodeId);
    pipeline.del(this.keys.nodeUsers(deadNodeId));
    await pipeline.exec();
    return uids.length;
  }
}

interface RouteCommands {
  spearRouteRefresh(numberOfKeys: number, ...keysThenArgs: Array<string | number>): Promise<number>;
}
