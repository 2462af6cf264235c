import { createBus, type Bus } from '@spear/bus';
import { RedisKeys } from '@spear/catalog';
import { GroupHistory, GroupTraffic, logOptionsOf, MessagePath, RedisMessageStore, RouteReader, undeliveredChecksOf, UserLog } from '@spear/delivery';
import { PrefetchingIdSource } from '@spear/idgen-client';
import type { ServiceContext } from '@spear/runtime';

/**
 * ticket's side of delivery: the same message path a spear node's core uses
 * (body checked, id from idgen, stored in the same user logs and group history,
 * forwarded over the same bus), so a pushed 1:1 message is stored and acked
 * like any other.
 */
export class PushService {
  readonly messages: MessagePath;
  readonly routes: RouteReader;
  private readonly store: RedisMessageStore;

  private constructor(
    ctx: ServiceContext<'ticket'>,
    keys: RedisKeys,
    private readonly bus: Bus,
  ) {
    const { delivery } = ctx.config;
    this.routes = new RouteReader(ctx.redis, keys);
    const store = (this.store = new RedisMessageStore(
      ctx.redis,
      new UserLog(ctx.redis, keys, logOptionsOf(delivery)),
      new GroupHistory(ctx.redis, keys, delivery.groupHistory.cap, delivery.groupHistory.ttlSeconds),
      delivery.durability,
      {
        traffic: new GroupTraffic(ctx.redis, keys),
        // Pushed messages are checked as sent ones are: the spear nodes fire the undelivered hook.
        undelivered: undeliveredChecksOf(ctx.redis, keys, delivery),
      },
    ));
    // Pushes are the admin's: no sender copy (the sender is not a user), only the recipient's bytes quota.
    const options = { maxBodyBytes: delivery.maxBodyBytes, senderCopies: false, kind: 'push' as const };
    this.messages = new MessagePath(store, bus, new PrefetchingIdSource(ctx.rpc, { batch: 1024 }), options);
  }

  /**
   * Closes every live connection of `uid` (only those whose ticket came from
   * the token `token` refers to, when given), on every node, after `kicked
   * {reason}`: one broadcast on the bus (a node holding none of them ignores
   * it). At-most-once like every bus publish; resolves once published.
   */
  kick(uid: string, reason: string, token?: string): Promise<void> {
    return this.bus.publishBroadcast({ t: 'kick', p: { uid, reason, ts: Date.now(), ...(token ? { token } : {}) } });
  }

  /** Tells every node that `uid`'s membership of `group` changed: its live connections follow (at-most-once; a node that misses it catches up after its bus gap). */
  membershipChanged(uid: string, group: string, op: 'add' | 'remove'): Promise<void> {
    return this.bus.publishBroadcast({ t: 'member', p: { uid, group, op, ts: Date.now() } });
  }

  static start(ctx: ServiceContext<'ticket'>): PushService {
    const { config } = ctx;
    const keys = new RedisKeys(config.redis.keyPrefix);
    // Publish-only: ticket is not a node, it receives nothing (no topic or consumer group of its own).
    // Pub/sub ignores the Redis db number: channels carry the profile's prefix, as spear nodes' do.
    const redis = { ...config.redis, keyPrefix: keys.channelPrefix };
    const bus = createBus({ bus: config.bus, redis, kafka: config.kafka, logger: ctx.logger });
    return new PushService(ctx, keys, bus);
  }

  close(): Promise<void> {
    this.store.close();
    return this.bus.close();
  }
}
