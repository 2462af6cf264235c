import type { GroupEvent, MsgEvent } from '@spear/protocol';
import type { Arrivals } from './arrivals';
import type { GroupHistory } from './group-history';
import type { Inbox } from './inbox';
import type { DeliveryStore, MessageStore } from './node/delivery-store';
import type { RouteTable } from './route-table';

/** The message stores in Redis, for writers that are not spear nodes (ticket's push API). */
export class RedisMessageStore implements MessageStore {
  constructor(
    protected readonly inbox: Inbox,
    protected readonly history: GroupHistory,
  ) {}

  storeMessage(message: MsgEvent): Promise<string[]> {
    return this.inbox.add(message);
  }

  appendGroup(message: GroupEvent): Promise<void> {
    return this.history.append(message);
  }
}

/**
 * A spear node's {@link DeliveryStore} in Redis: one script per call, each
 * with the guarantee its class states (Inbox, GroupHistory, RouteTable,
 * Arrivals; proven against a real Redis in delivery-redis.spec.ts).
 */
export class RedisDeliveryStore extends RedisMessageStore implements DeliveryStore {
  constructor(
    inbox: Inbox,
    history: GroupHistory,
    private readonly routes: RouteTable,
    private readonly arrivals: Arrivals,
  ) {
    super(inbox, history);
  }

  arrive(uid: string, register: boolean): Promise<MsgEvent[]> {
    return this.arrivals.arrive(uid, register);
  }

  unacked(uid: string): Promise<MsgEvent[]> {
    return this.inbox.read(uid);
  }

  ack(uid: string, ids: readonly string[]): Promise<void> {
    return this.inbox.ack(uid, ids);
  }

  groupSince(group: string, since: string): Promise<GroupEvent[]> {
    return this.history.since(group, since);
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
