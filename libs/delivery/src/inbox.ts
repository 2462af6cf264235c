import type Redis from 'ioredis';
import type { RedisKeys } from '@spear/catalog';
import type { MsgEvent } from '@spear/protocol';

/**
 * Adds a message and keeps at most `cap` (oldest dropped); a repeated id is
 * stored once. Returns the nodes where the recipient is connected (its route
 * set, KEYS[4]): the route shares the user's hash slot, so storing and
 * looking up where to forward is one command and one round trip.
 */
const ADD = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return redis.call('SMEMBERS', KEYS[4]) end
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
local n = redis.call('ZCARD', KEYS[2])
local cap = tonumber(ARGV[3])
if n > cap then
  local old = redis.call('ZPOPMIN', KEYS[2], n - cap)
  for i = 1, #old, 2 do redis.call('HDEL', KEYS[1], old[i]) end
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return redis.call('SMEMBERS', KEYS[4])`;

/**
 * Lua returning the stored messages of the inbox whose order set and hash are
 * the key expressions `order` and `hash`, oldest first (ids trimmed from the
 * hash meanwhile are skipped). Shared with Arrivals' script.
 */
export const readInboxLua = (order: string, hash: string) => `
local out = {}
for _, id in ipairs(redis.call('ZRANGE', ${order}, 0, -1)) do
  local value = redis.call('HGET', ${hash}, id)
  if value then out[#out + 1] = value end
end
return out`;

/** Messages as a read script returns them. */
export const parseMessages = (values: string[]): MsgEvent[] => values.map((v) => JSON.parse(v) as MsgEvent);

/** Removes acked ids from both the order and the messages (unknown ids are ignored). */
const ACK = `
redis.call('ZREM', KEYS[2], unpack(ARGV))
redis.call('HDEL', KEYS[1], unpack(ARGV))
return 0`;

/**
 * Each user's inbox of 1:1 messages not yet acked, in Redis: a hash of
 * id -> message and a sorted set keeping write order.
 * Guarantee: once `add` resolves, the message is stored (Redis has it) and is
 * returned by `read` until acked, trimmed past the cap, or expired; what it
 * resolves to is where the recipient was connected at that moment (see RouteTable).
 * Order: write order, which per sender is send order (sends are serialized
 * per connection).
 */
export class Inbox {
  /** `keys`: the profile's key names (libs/catalog); inbox and route keys of one uid share a hash slot. */
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly cap: number,
    private readonly ttlSeconds: number,
  ) {
    redis.defineCommand('spearInboxAdd', { numberOfKeys: 4, lua: ADD });
    redis.defineCommand('spearInboxAck', { numberOfKeys: 2, lua: ACK });
    redis.defineCommand('spearInboxRead', { numberOfKeys: 2, lua: readInboxLua('KEYS[1]', 'KEYS[2]') });
  }

  /** Stores `message`; resolves to the node ids holding a connection of its recipient. */
  add(message: MsgEvent): Promise<string[]> {
    const k = this.keys.inbox(message.to);
    return (this.redis as unknown as InboxCommands).spearInboxAdd(k.hash, k.order, k.seq, this.keys.route(message.to), message.id, JSON.stringify(message), this.cap, this.ttlSeconds);
  }

  /** Every unacked message of `uid`, oldest first: one script, one round trip. */
  async read(uid: string): Promise<MsgEvent[]> {
    const k = this.keys.inbox(uid);
    return parseMessages(await (this.redis as unknown as InboxCommands).spearInboxRead(k.order, k.hash));
  }

  /** Removes acked messages (unknown ids are ignored): one script, one command. */
  async ack(uid: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const k = this.keys.inbox(uid);
    await (this.redis as unknown as InboxCommands).spearInboxAck(k.hash, k.order, ...ids);
  }
}

interface InboxCommands {
  spearInboxAdd(hash: string, order: string, seq: string, route: string, id: string, json: string, cap: number, ttl: number): Promise<string[]>;
  spearInboxAck(hash: string, order: string, ...ids: string[]): Promise<number>;
  spearInboxRead(order: string, hash: string): Promise<string[]>;
}
