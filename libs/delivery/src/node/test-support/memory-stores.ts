import { ProtocolError, type GroupEvent, type HistoryPayload, type MsgEvent } from '@spear/protocol';
import { compareIds } from '@spear/snowflake';
import type { LogOptions } from '../../log/log-options';
import type { Arrival, DeviceAck, StoreOptions, Stored, Unacked } from '../../log/user-log';
import type { DeliveryStore, MessageStore } from '../delivery-store';
import { MemoryLog } from './memory-log';

/** Log options of the test stores: roomy, so only the tests that mean to reach a limit reach one. */
export const TEST_LOG_OPTIONS: LogOptions = { cap: 1000, ttlSeconds: 3600, maxBytes: 1 << 30, maxDevices: 8, forgetDeviceAfterSeconds: 86_400, knownUsersOnly: false };

/**
 * The delivery stores of a whole cluster in memory, with the semantics of the
 * Redis ones (libs/delivery/src/*.ts; the logs pass the same contract suite,
 * delivery-store-contract.ts): users' logs with per-device state (MemoryLog),
 * route sets per uid and uid sets per node, a capped group history that
 * remembers the newest id trimmed away. For the node core's unit tests only;
 * `failing` makes every call reject (a Redis outage).
 */
export class MemoryStores implements MessageStore {
  readonly logs = new Map<string, MemoryLog>();
  /** Uids that held a token or a connection (the knownUsersOnly quota). */
  readonly known = new Set<string>();
  /** Group presence: group → `<node> <uid>` entries (no expiry: nodes here leave or are killed by the test). */
  readonly online = new Map<string, Set<string>>();
  /** Distinct uids online in `group` (ticket's GET /v1/groups/{group}). */
  onlineIn(group: string): number {
    return new Set([...(this.online.get(group) ?? [])].map((e) => e.slice(e.indexOf(' ') + 1))).size;
  }
  /** Group memberships: uid → its groups (ticket's admin API writes them; a test sets them here). */
  readonly memberships = new Map<string, Set<string>>();
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

  constructor(
    readonly logOptions: LogOptions = TEST_LOG_OPTIONS,
    private readonly historyCap = 1000,
  ) {}

  log(uid: string): MemoryLog {
    let log = this.logs.get(uid);
    if (!log) this.logs.set(uid, (log = new MemoryLog(this.logOptions)));
    return log;
  }

  /** This cluster's stores as node `nodeId` sees them. */
  forNode(nodeId: string): DeliveryStore {
    return new NodeView(this, nodeId);
  }

  async storeMessage(message: MsgEvent, options: StoreOptions): Promise<Stored> {
    this.check();
    await this.writeGate;
    await turns(this.writeTurns(message));
    const owner = options.kind === 'copy' ? message.from : message.to;
    const nodes = [...(this.routes.get(owner) ?? [])];
    const known = this.known.has(owner) || (this.memberships.get(owner)?.size ?? 0) > 0;
    const seq = this.log(owner).append(message, options, known, nodes.length > 0);
    return { seq, nodes };
  }

  async appendGroup(message: GroupEvent): Promise<void> {
    this.check();
    await this.writeGate;
    let history = this.groups.get(message.group);
    if (!history) this.groups.set(message.group, (history = { log: [] }));
    history.log.push(structuredClone(message));
    while (history.log.length > this.historyCap) history.floor = history.log.shift()!.id;
  }

  async groupSince(group: string, since: string, limit = Number.MAX_SAFE_INTEGER): Promise<GroupEvent[]> {
    this.check();
    const history = this.groups.get(group);
    if (!history) return [];
    if (history.floor !== undefined && compareIds(since, history.floor) < 0) throw new ProtocolError('history_gone', `history of ${group} starts after ${history.floor}`);
    const snapshot = history.log
      .filter((m) => compareIds(m.id, since) > 0)
      .slice(0, limit)
      .map((m) => structuredClone(m));
    await turns(this.sinceTurns);
    return snapshot;
  }

  /** Messages in every log (a test's view). */
  storedCount(): number {
    let n = 0;
    for (const log of this.logs.values()) n += log.entries.length;
    return n;
  }

  /** What `device` of `uid` has not acked (a test's view). */
  unacked(uid: string, device = 'default'): MsgEvent[] {
    this.check();
    return this.logs.get(uid)?.unacked(device).messages ?? [];
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

  async storeMessage(message: MsgEvent, options: StoreOptions): Promise<Stored> {
    this.check();
    return this.stores.storeMessage(message, options);
  }

  async appendGroup(message: GroupEvent): Promise<void> {
    this.check();
    return this.stores.appendGroup(message);
  }

  async groupSince(group: string, since: string, limit?: number): Promise<GroupEvent[]> {
    this.check();
    return this.stores.groupSince(group, since, limit);
  }

  async arrive(uid: string, device: string, register: boolean): Promise<Arrival> {
    this.check();
    if (register) this.register(uid);
    this.stores.known.add(uid);
    const snapshot = { ...this.stores.log(uid).arrive(device), groups: [...(this.stores.memberships.get(uid) ?? [])].sort() };
    await turns(this.stores.arrivalTurns);
    return snapshot;
  }

  async unacked(uid: string, device: string): Promise<Unacked> {
    this.check();
    return this.stores.log(uid).unacked(device);
  }

  async ack(uid: string, device: string, ack: DeviceAck): Promise<void> {
    this.check();
    this.stores.log(uid).ack(device, ack);
  }

  async inGroup(group: string, uid: string, online: boolean): Promise<void> {
    this.check();
    const { online: map } = this.stores;
    if (!map.has(group)) map.set(group, new Set());
    if (online) map.get(group)!.add(`${this.nodeId} ${uid}`);
    else map.get(group)!.delete(`${this.nodeId} ${uid}`);
  }

  async refreshGroups(pairs: Iterable<readonly [string, string]>): Promise<void> {
    this.check();
    for (const [group, uid] of pairs) await this.inGroup(group, uid, true);
  }

  async groupsOf(uid: string): Promise<string[]> {
    this.check();
    return [...(this.stores.memberships.get(uid) ?? [])].sort();
  }

  async isMember(group: string, uid: string): Promise<boolean> {
    this.check();
    return this.stores.memberships.get(uid)?.has(group) ?? false;
  }

  async historyOf(uid: string, query: HistoryPayload): Promise<MsgEvent[]> {
    this.check();
    return this.stores.log(uid).history(uid, query);
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
