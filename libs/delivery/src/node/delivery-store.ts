import type { GroupEvent, HistoryPayload, MsgEvent } from '@spear/protocol';
import type { Arrival, DeviceAck, StoreOptions, Stored, Unacked } from '../log/user-log';

/**
 * Where messages are stored before they are forwarded: what every writer of
 * messages needs (a spear node, ticket's push API).
 * Guarantee: once a write resolves the message is in the store as durably as
 * the profile's delivery.durability says (retained by count, age and bytes);
 * a refused write (a quota: ProtocolError) wrote nothing.
 */
export interface MessageStore {
  /**
   * Appends a 1:1 message to its recipient's log (`kind: 'copy'`: to its
   * sender's); a repeated id is stored once. Resolves to its seq there and
   * the nodes holding a connection of that log's owner; `forwarded` when the
   * store also published the message to those nodes but the writer's own
   * (UserLog's LogForwarding), in the same step as the write: the writer then
   * only delivers to its own sessions.
   */
  storeMessage(message: MsgEvent, options: StoreOptions): Promise<Stored>;
  /** Appends to the group's bounded history. */
  appendGroup(message: GroupEvent): Promise<void>;
}

/**
 * A spear node's view of the delivery stores: users' logs with per-device
 * state, group history and the route table (which nodes hold which uid),
 * bound to this node's id.
 * Calls of one node are applied in the order they were made (one ordered
 * connection), so an `offline` made after an `arrive` undoes it.
 */
export interface DeliveryStore extends MessageStore {
  /**
   * A connection of (`uid`, `device`) arrives here: when `register` (the
   * uid's first here) the node joins the uid's route; resolves to what the
   * device has not acked, in seq order, with the log's last seq (Unacked),
   * whether retention dropped some, and the user's groups (its memberships, sorted).
   * Atomic: a message stored before is returned, one stored after finds this
   * node in the route (possibly both; clients drop duplicates by id).
   */
  arrive(uid: string, device: string, register: boolean): Promise<Arrival>;
  /** What `device` has not acked, in seq order, and the log's last seq (read only; see Unacked). */
  unacked(uid: string, device: string): Promise<Unacked>;
  /**
   * Acks for one device: ids (unknown ones ignored; the cursor moves over the
   * contiguous ones), or `upTo`, which sets the device's cursor as given (the
   * caller clamps it to what the device was sent: one plain write, no script).
   */
  ack(uid: string, device: string, ack: DeviceAck): Promise<void>;
  /** The user's own log, newest first (PROTOCOL.md `history`). */
  historyOf(uid: string, query: HistoryPayload): Promise<MsgEvent[]>;
  /** Retained group messages after `since`, oldest first, at most `limit`; rejects with ProtocolError('history_gone') when some were trimmed. */
  groupSince(group: string, since: string, limit?: number): Promise<GroupEvent[]>;
  /** The groups `uid` is a member of, sorted (every connection joins them at connect). */
  groupsOf(uid: string): Promise<string[]>;
  /** Is `uid` a member of `group`? (the `members` policy). */
  isMember(group: string, uid: string): Promise<boolean>;
  /** `uid` has (true) or no longer has (false) a connection in `group` on this node: the group's presence. */
  inGroup(group: string, uid: string, online: boolean): Promise<void>;
  /** Re-arms this node's group presence entries ([group, uid] pairs); they expire otherwise. */
  refreshGroups(pairs: Iterable<readonly [string, string]>): Promise<void>;
  /** The uid's last connection here left: this node leaves its route. */
  offline(uid: string): Promise<void>;
  /** Re-arms this node's route entries of the given uids (they expire otherwise). */
  refresh(uids: Iterable<string>): Promise<void>;
  /** Removes a dead node from the routes of its users (idempotent); resolves to how many. */
  purgeNode(nodeId: string): Promise<number>;
}
