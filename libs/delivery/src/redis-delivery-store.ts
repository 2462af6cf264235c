import type { RedisClient } from '@spear/bus';
import type { GroupEvent, HistoryPayload, MsgEvent } from '@spear/protocol';
import type { GroupHistory } from './group-history';
import type { GroupPresence } from './groups/group-presence';
import type { GroupTraffic } from './groups/group-traffic';
import type { Memberships } from './groups/memberships';
import { durableWriter, type Durability, type DurableWriter } from './log/durability';
import { UserLog, type Arrival, type ArrivalNode, type DeviceAck, type StoreOptions, type Stored, type Unacked } from './log/user-log';
import type { DeliveryStore, MessageStore } from './node/delivery-store';
import type { RouteTable } from './route-table';
import type { UndeliveredChecks } from './log/undelivered';

/** What a message store also keeps when given: group traffic counts, and the undelivered hook's checks. */
export interface StoreExtras {
  traffic?: GroupTraffic;
  undelivered?: UndeliveredChecks;
}

/** The message stores in Redis, for writers that are not spear nodes (ticket's push API). */
export class RedisMessageStore implements MessageStore {
  private readonly writer: DurableWriter;
  private readonly traffic?: GroupTraffic;
  private readonly undelivered?: UndeliveredChecks;

  constructor(
    redis: RedisClient,
    protected readonly log: UserLog,
    protected readonly history: GroupHistory,
    durability: Durability,
    extras: StoreExtras = {},
  ) {
    this.traffic = extras.traffic;
    this.undelivered = extras.undelivered;
    this.writer = durableWriter(redis, durability, (connection) => UserLog.defineCommands(connection));
  }

  /**
   * Into the recipient's log (a sender copy: the sender's), as durably as the
   * profile asks; with the undelivered hook on, the recipient's copy is then
   * scheduled for its check (before the send is acked).
   */
  async storeMessage(message: MsgEvent, options: StoreOptions): Promise<Stored> {
    const owner = options.kind === 'copy' ? message.from : message.to;
    const stored = await this.log.append(owner, message, options, this.writer);
    // The message is stored: a failed schedule must not fail the send (a resend would store it twice); only its check is lost.
    if (this.undelivered && options.kind !== 'copy') await this.undelivered.schedule({ uid: owner, id: message.id, seq: stored.seq, from: message.from, ts: message.ts }).catch(() => undefined);
    return stored;
  }

  /** Closes what the store opened itself (replicated mode's connection). */
  close(): void {
    this.writer.close();
  }

  /** Into the group's history; the group's traffic is counted beside it (statistics: never fails the publish). */
  async appendGroup(message: GroupEvent): Promise<void> {
    void this.traffic?.count(message.group, message.ts).catch(() => undefined);
    await this.history.append(message);
  }
}

/**
 * A spear node's {@link DeliveryStore} in Redis: one script per call (an
 * append: at most two, UserLog.append), each
 * with the guarantee its class states (UserLog, GroupHistory, RouteTable;
 * proven against a real Redis in the *.redis.spec.ts files).
 */
export class RedisDeliveryStore extends RedisMessageStore implements DeliveryStore {
  constructor(
    redis: RedisClient,
    log: UserLog,
    history: GroupHistory,
    durability: Durability,
    private readonly routes: RouteTable,
    private readonly node: ArrivalNode,
    private readonly memberships: Memberships,
    private readonly presence: GroupPresence,
    extras: StoreExtras = {},
  ) {
    super(redis, log, history, durability, extras);
  }

  inGroup(group: string, uid: string, online: boolean): Promise<void> {
    return online ? this.presence.enter(group, uid) : this.presence.leave(group, uid);
  }

  refreshGroups(pairs: Iterable<readonly [string, string]>): Promise<void> {
    return this.presence.refresh(pairs);
  }

  groupsOf(uid: string): Promise<string[]> {
    return this.memberships.groupsOf(uid);
  }

  isMember(group: string, uid: string): Promise<boolean> {
    return this.memberships.isMember(group, uid);
  }

  arrive(uid: string, device: string, register: boolean): Promise<Arrival> {
    return this.log.arrive(uid, device, register ? this.node : undefined);
  }

  unacked(uid: string, device: string): Promise<Unacked> {
    return this.log.unacked(uid, device);
  }

  ack(uid: string, device: string, ack: DeviceAck): Promise<void> {
    return this.log.ack(uid, device, ack);
  }

  historyOf(uid: string, query: HistoryPayload): Promise<MsgEvent[]> {
    return this.log.history(uid, query);
  }

  groupSince(group: string, since: string, limit?: number): Promise<GroupEvent[]> {
    return this.history.since(group, since, limit);
  }

  offline(uid: string): Promise<void> {
    return this.routes.offline(uid);
  }

  refresh(uids: Iterable<string>): Promise<void> {
    return this.routes.refresh(uids);
  }

  purgeNode(nodeId: string): Promise<number> {
    return this.routes.purgeNode(nodeId);
  }
}
