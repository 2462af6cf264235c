import type Redis from 'ioredis';
import type { RedisKeys } from '@spear/catalog';
import type { MsgEvent } from '@spear/protocol';
import { parseMessages, readInboxLua } from './inbox';

/**
 * Registers the node in the user's route (when asked: the uid's first
 * connection here; TTL re-armed, the uid added to the node's set; undone by
 * RouteTable.offline) and returns the user's inbox, oldest first.
 */
const ARRIVE = `
if ARGV[1] == '1' then
  redis.call('SADD', KEYS[1], ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('SADD', KEYS[2], ARGV[4])
end` + readInboxLua('KEYS[3]', 'KEYS[4]');

/**
 * A connection arriving on a node: its route entry and its inbox read in
 * one script, so a connect waits for one Redis round trip instead of two in
 * a row (the handshake's own cost in a reconnect storm).
 * Guarantee, from the script's atomicity: a message stored before the
 * arrival is in the returned inbox; one stored after it finds this node in
 * the route and is forwarded here (possibly both: clients drop duplicates by id).
 */
export class Arrivals {
  /** `keys`: the profile's key names (libs/catalog), the same as the Inbox's and RouteTable's. */
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly routeTtlSeconds: number,
  ) {
    redis.defineCommand('spearArrive', { numberOfKeys: 4, lua: ARRIVE });
  }

  /** `register`: add this node to the user's route (its first connection here). Resolves to the unacked messages. */
  async arrive(uid: string, register: boolean): Promise<MsgEvent[]> {
    const inbox = this.keys.inbox(uid);
    const values = await (this.redis as unknown as ArriveCommand).spearArrive(this.keys.route(uid), this.keys.nodeUsers(this.nodeId), inbox.order, inbox.hash, register ? '1' : '0', this.nodeId, this.routeTtlSeconds, uid);
    return parseMessages(values);
  }
}

interface ArriveCommand {
  spearArrive(route: string, nodeUsers: string, order: string, hash: string, register: string, nodeId: string, ttl: number, uid: string): Promise<string[]>;
}
