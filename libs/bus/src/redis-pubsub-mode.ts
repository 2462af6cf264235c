import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis-client';

/**
 * The commands of one pub/sub flavour. Sharded pub/sub (Redis 7) routes a
 * channel to the shard owning its hash slot instead of broadcasting every
 * message over a Redis Cluster's bus to all shards, so directed delivery
 * keeps scaling with the cluster; on a single Redis both behave the same.
 * Classic pub/sub is kept for servers older than 7.0.
 */
export interface PubSubMode {
  readonly name: 'sharded' | 'classic';
  /** The subscriber connection's event carrying `(channel, message)`. */
  readonly messageEvent: 'smessage' | 'message';
  subscribe(redis: RedisClient, channel: string): Promise<unknown>;
  unsubscribe(redis: RedisClient, channel: string): Promise<unknown>;
  publish(redis: RedisClient, channel: string, message: string): Promise<unknown>;
  /** Adds a publish to a pipeline (sent on `exec`). */
  queuePublish(pipeline: ChainableCommander, channel: string, message: string): void;
}

export const shardedPubSub: PubSubMode = {
  name: 'sharded',
  messageEvent: 'smessage',
  // One channel per command: in a Redis Cluster a multi-channel SSUBSCRIBE must stay in one slot.
  subscribe: (redis, channel) => redis.ssubscribe(channel),
  unsubscribe: (redis, channel) => redis.sunsubscribe(channel),
  publish: (redis, channel, message) => redis.spublish(channel, message),
  queuePublish: (pipeline, channel, message) => void pipeline.spublish(channel, message),
};

export const classicPubSub: PubSubMode = {
  name: 'classic',
  messageEvent: 'message',
  subscribe: (redis, channel) => redis.subscribe(channel),
  unsubscribe: (redis, channel) => redis.unsubscribe(channel),
  publish: (redis, channel, message) => redis.publish(channel, message),
  queuePublish: (pipeline, channel, message) => void pipeline.publish(channel, message),
};
