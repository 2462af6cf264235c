import type { GroupEvent, MsgEvent } from '@spear/protocol';

/**
 * Where messages are stored before they are forwarded: what every writer of
 * messages needs (a spear node, ticket's push API).
 * Guarantee: once a write resolves the message is durable in the store (until
 * acked, trimmed past the profile's cap, or expired).
 */
export interface MessageStore {
  /** Stores a 1:1 message (a repeated id is stored once); resolves to the nodes holding a connection of its recipient. */
  storeMessage(message: MsgEvent): Promise<string[]>;
  /** Appends to the group's bounded history. */
  appendGroup(message: GroupEvent): Promise<void>;
}

/**
 * A spear node's view of the delivery stores: inboxes, group history and the
 * route table (which nodes hold which uid), bound to this node's id.
 * Calls of one node are applied in the order they were made (one ordered
 * connection), so an `offline` made after an `arrive` undoes it.
 */
export interface DeliveryStore extends MessageStore {
  /**
   * A connection of `uid` arrives here: when `register` (its first here) the
   * node joins the uid's route; resolves to the unacked inbox, oldest first.
   * Atomic: a message stored before is returned, one stored after finds this
   * node in the route (possibly both; clients drop duplicates by id).
   */
  arrive(uid: string, register: boolean): Promise<MsgEvent[]>;
  /** The unacked inbox of `uid`, oldest first. */
  unacked(uid: string): Promise<MsgEvent[]>;
  /** Removes acked ids from the inbox (unknown ids are ignored). */
  ack(uid: string, ids: readonly string[]): Promise<void>;
  /** Retained group messages after `since`; rejects with ProtocolError('history_gone') when some were trimmed. */
  groupSince(group: string, since: string): Promise<GroupEvent[]>;
  /** The uid's last connection here left: this node leaves its route. */
  offline(uid: string): Promise<void>;
  /** Re-arms this node's route entries of the given uids (they expire otherwise). */
  refresh(uids: Iterable<string>): Promise<void>;
  /** Removes a dead node from the routes of its users (idempotent); resolves to how many. */
  purgeNode(nodeId: string): Promise<number>;
}
