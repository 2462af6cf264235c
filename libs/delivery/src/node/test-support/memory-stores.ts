import { ProtocolError, type GroupEvent, type MsgEvent } from '@spear/protocol';
import { compareIds } from '@spear/snowflake';
import type { DeliveryStore, MessageStore } from '../delivery-store';

/**
 * The delivery stores of a whole cluster in memory, with the semantics of the
 * Redis ones (libs/delivery/src/*.ts, proven against Redis in
 * delivery-redis.spec.ts): inboxes in write order with a cap and a repeated id
 * stored once, route sets per uid and uid sets per node, a capped group
 * history that remembers the newest id trimmed away. For the node core's unit
 * tests only; `failing` makes every call reject (a Redis outage).
 */
export class MemoryStores implements MessageStore {
  readonly inboxes = new Map<string, Map<string, MsgEvent>>();
  readonly routes = new Map<string, Set<string>>();
  readonly nodeUsers = new Map<string, Set<string>>();
  private readonly groups = new Map<string, { log: GroupEvent[]; floor?: string }>();
  failing = false;
  /**
   * Event-loop turns an arrival's answer takes to come back. The route entry
   * and the inbox snapshot are taken at once (the Redis script is atomic); the
   * answer travels later, as over a network, so live messages can overtake it.
   */
  arrivalTurns = 0;
  /** Nodes that crashed: their calls reject, as a dead process reaches nothing. */
  readonly deadNodes = new Set<string>();
  /** When set, writes (1:1 and group) wait for it: a slow store, for what must wait on writes in flight. */
  writeGate?: Promise<void>;
  /** Event-loop turns a 1:1 write of `message` takes (per message, so writes can finish out of order). */
  writeTurns: (message: MsgEvent) => number = () => 0;
  /** Event-loop turns a history read's answer takes (its snapshot is taken at once, as a script's). */
  sinceTurns = 0;

  constructor(private readonly caps: { inbox: number; history: number } = { inbox: 1000, history: 1000 }) {}

  /** This cluster's stores as node `nodeId` sees them. */
  forNode(nodeId: string): DeliveryStore {
    return new NodeView(this, nodeId);
  }

  async storeMessage(message: MsgEvent): Promise<string[]> {
    this.check();
    await this.writeGate;
    await turns(this.writeTurns(message));
    let inbox = this.inboxes.get(message.to);
    if (!inbox) this.inboxes.set(message.to, (inbox = new Map()));
    if (!inbox.has(message.id)) {
      inbox.set(message.id, structuredClone(message));
      while (inbox.size > this.caps.inbox) inbox.delete(inbox.keys().next().value!);
    }
    return [...(this.routes.get(message.to) ?? [])];
  }

  async appendGroup(message: GroupEvent): Promise<void> {
    this.check();
    await this.writeGate;
    let history = this.groups.get(message.group);
    if (!history) this.groups.set(message.group, (history = { log: [] }));
    history.log.push(structuredClone(message));
    while (history.log.length > this.caps.history) history.floor = history.log.shift()!.id;
  }

  async groupSince(group: string, since: string): Promise<GroupEvent[]> {
    this.check();
    const history = this.groups.get(group);
    if (!history) return [];
    if (history.floor !== undefined && compareIds(since, history.floor) < 0) throw new ProtocolError('history_gone', `history of ${group} starts after ${history.floor}`);
    const snapshot = history.log.filter((m) => compareIds(m.id, since) > 0).map((m) => structuredClone(m));
    await turns(this.sinceTurns);
    return snapshot;
  }

  unacked(uid: string): MsgEvent[] {
    this.check();
    return [...(this.inboxes.get(uid)?.values() ?? [])].map((m) => structuredClone(m));
  }

  check(): void {
    if (this.failing) throw new Error('store unreachable');
  }
}

class NodeView implements DeliveryStore {
  constructor(
    private readonly stores: MemoryStores,
    private readonly nodeId: string,
  ) {}

  async storeMessage(message: MsgEvent): Promise<string[]> {
    this.check();
    return this.stores.storeMessage(message);
  }

  async appendGroup(message: GroupEvent): Promise<void> {
    this.check();
    return this.stores.appendGroup(message);
  }

  async groupSince(group: string, since: string): Promise<GroupEvent[]> {
    this.check();
    return this.stores.groupSince(group, since);
  }

  async arrive(uid: string, register: boolean): Promise<MsgEvent[]> {
    this.check();
    if (register) this.register(uid);
    const snapshot = this.stores.unacked(uid);
    await turns(this.stores.arrivalTurns);
    return snapshot;
  }

  async unacked(uid: string): Promise<MsgEvent[]> {
    this.check();
    return this.stores.unacked(uid);
  }

  async ack(uid: string, ids: readonly string[]): Promise<void> {
    this.check();
    for (const id of ids) this.stores.inboxes.get(uid)?.delete(id);
  }

  async offline(uid: string): Promise<void> {
    this.check();
    this.stores.routes.get(uid)?.delete(this.nodeId);
    this.stores.nodeUsers.get(this.nodeId)?.delete(uid);
  }

  async refresh(uids: Iterable<string>): Promise<void> {
    this.check();
    for (const uid of uids) this.register(uid);
  }

  async purgeNode(nodeId: string): Promise<number> {
    this.check();
    const uids = this.stores.nodeUsers.get(nodeId) ?? new Set();
    for (const uid of uids) this.stores.routes.get(uid)?.delete(nodeId);
    this.stores.nodeUsers.delete(nodeId);
    return uids.size;
  }

  private check(): void {
    if (this.stores.deadNodes.has(this.nodeId)) throw new Error(`node ${this.nodeId} is dead`);
    this.stores.check();
  }

  private register(uid: string): void {
    const { routes, nodeUsers } = this.stores;
    if (!routes.has(uid)) routes.set(uid, new Set());
    routes.get(uid)!.add(this.nodeId);
    if (!nodeUsers.has(this.nodeId)) nodeUsers.set(this.nodeId, new Set());
    nodeUsers.get(this.nodeId)!.add(uid);
  }
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}
