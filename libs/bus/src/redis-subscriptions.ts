import type { Envelope } from './bus';
import { deliver } from './deliver';
import { errorMessage, type BusLogger } from './logger';
import type { RedisChannels } from './redis-channels';
import { isClusterClient, type RedisClient } from './redis-client';
import { closeConnection } from './redis-connections';
import type { PubSubMode } from './redis-pubsub-mode';

/** A started node's receiving side. */
interface Receiving {
  nodeId: string;
  subscriber: RedisClient;
  onEnvelope: (envelope: Envelope) => void;
  onGap?: () => void;
}

/**
 * The receiving side of a {@link RedisBus}: one subscriber connection on this
 * node's channel, the broadcast channel and the channels of the groups it
 * joined.
 *
 * Guarantees: envelopes of a group are handed on only while the group is
 * joined (one still in flight after leave() is dropped here); the
 * subscriptions are made again after every reconnect (on a cluster ioredis
 * makes them per shard), and then the node is told of the gap (`onGap`):
 * pub/sub keeps nothing for a connection that was away.
 */
export class RedisSubscriptions {
  private readonly groups = new Set<string>();
  private receiving: Receiving | null = null;
  private closed = false;

  constructor(
    private readonly channels: RedisChannels,
    private readonly mode: PubSubMode,
    private readonly logger: BusLogger,
  ) {}

  /** Listens on `subscriber` (not connected yet) for this node; subscribe() then makes the subscriptions. */
  attach(nodeId: string, subscriber: RedisClient, onEnvelope: (envelope: Envelope) => void, onGap?: () => void): void {
    this.receiving = { nodeId, subscriber, onEnvelope, onGap };
    subscriber.on(this.mode.messageEvent, (channel: string, message: string) => this.receive(channel, message));
  }

  /** Subscribes the connected subscriber to every wanted channel, then keeps them across reconnects. */
  async subscribe(): Promise<void> {
    const { subscriber } = this.receiving!;
    await Promise.all(this.wantedChannels().map((channel) => this.mode.subscribe(subscriber, channel)));
    if (isClusterClient(subscriber)) {
      this.watchShardSubscribers(subscriber);
    } else {
      // After the first connect, so the subscriptions above are not sent twice.
      subscriber.on('ready', () => void this.resubscribe());
    }
  }

  /** Records the membership and subscribes (see RedisBus.joinGroup); may come before attach(). */
  async join(group: string): Promise<void> {
    if (this.groups.has(group)) return;
    this.groups.add(group);
    await this.change(group, 'subscribe');
  }

  /** Forgets the membership and unsubscribes (see RedisBus.leaveGroup). */
  async leave(group: string): Promise<void> {
    if (!this.groups.delete(group)) return;
    await this.change(group, 'unsubscribe');
  }

  /** Stops handing envelopes on and closes the subscriber. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const subscriber = this.receiving?.subscriber;
    if (!subscriber) return;
    subscriber.removeAllListeners(this.mode.messageEvent);
    await closeConnection(subscriber);
  }

  private receive(channel: string, message: string): void {
    const receiving = this.receiving;
    if (!receiving || this.closed) return;
    const group = this.channels.groupOf(channel);
    // An envelope can still arrive between leave() and Redis confirming the unsubscribe.
    if (group !== null && !this.groups.has(group)) return;
    deliver(message, receiving.onEnvelope, this.logger, { bus: 'redis', channel });
  }

  private async change(group: string, change: 'subscribe' | 'unsubscribe'): Promise<void> {
    const subscriber = this.receiving?.subscriber;
    // Before start or while reconnecting: subscribe() or the next `ready` applies the membership.
    if (!subscriber || subscriber.status !== 'ready' || this.closed) return;
    try {
      await this.mode[change](subscriber, this.channels.group(group));
    } catch (error) {
      this.logger.warn({ group, err: errorMessage(error) }, `bus: group ${change} deferred to the next reconnect`);
    }
  }

  /** This node's channel, the broadcast channel and every joined group's channel. */
  private wantedChannels(): string[] {
    const groups = [...this.groups].map((group) => this.channels.group(group));
    return [this.channels.node(this.receiving!.nodeId), this.channels.broadcast(), ...groups];
  }

  /**
   * On a cluster ioredis subscribes a shard's channels again on its new
   * owner whenever the slot map changed (a replica took over, a slot moved)
   * or a subscriber connection failed, and says `subscribersReady` when done.
   * What was published meanwhile to a channel in a moved slot is gone (Redis
   * unsubscribes a moved slot's channels), so each one is a gap for the node:
   * it replays from the logs, at worst once for a change that touched none
   * of its channels.
   */
  private watchShardSubscribers(subscriber: RedisClient): void {
    subscriber.on('subscribersReady', () => {
      if (this.closed) return;
      this.logger.info({}, 'bus: cluster slot map changed; shard subscriptions made again');
      this.receiving?.onGap?.();
    });
  }

  /** After a reconnect the new connection has no subscriptions; make them all again. */
  private async resubscribe(): Promise<void> {
    const subscriber = this.receiving?.subscriber;
    if (!subscriber || this.closed) return;
    const channels = this.wantedChannels();
    const results = await Promise.allSettled(channels.map((channel) => this.mode.subscribe(subscriber, channel)));
    const failed = results.filter((result) => result.status === 'rejected').length;
    if (failed > 0) {
      // The connection dropped again; its next `ready` retries.
      this.logger.warn({ failed, of: channels.length }, 'bus: resubscribing after a reconnect failed');
    } else {
      this.logger.info({ channels: channels.length }, 'bus: resubscribed after a reconnect');
      // Pub/sub kept nothing while the connection was down.
      this.receiving?.onGap?.();
    }
  }
}
