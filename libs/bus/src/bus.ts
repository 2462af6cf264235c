/** What travels between spear nodes. Payloads are the protocol's event payloads. */
export type Envelope =
  | { t: 'msg'; p: { id: string; from: string; to: string; body: unknown; ts: number; cid?: string } }
  | { t: 'group'; p: { id: string; group: string; from: string; body: unknown; ts: number } }
  | { t: 'broadcast'; p: { id: string; body: unknown; ts: number } }
  /** Several directed envelopes for one node, sent as one publish (see NodeBatcher); handlers see them one by one. */
  | { t: 'batch'; p: Envelope[] };

/**
 * Delivers envelopes to the spear node(s) that need them: directed to named
 * nodes (1:1 messages go only where the recipient is connected), to the nodes
 * that have members of a group, or to every node.
 *
 * Guarantee: at-most-once per publish (a node that is down misses it);
 * durability comes from the inbox write that precedes every 1:1 publish.
 * Order: envelopes published by one node to one destination arrive in
 * publish order.
 */
export interface Bus {
  /**
   * Starts receiving this node's envelopes (directed, its groups, broadcasts).
   * `onGap` is called once receiving resumes after envelopes may have been
   * missed (a reconnect), so the node can recover from durable stores.
   */
  start(nodeId: string, onEnvelope: (envelope: Envelope) => void, onGap?: () => void): Promise<void>;
  /** Directed delivery to each named node. */
  publishToNodes(nodeIds: readonly string[], envelope: Envelope): Promise<void>;
  /** Delivery to every node that joined `group`. */
  publishToGroup(group: string, envelope: Envelope): Promise<void>;
  /** Delivery to every node. */
  publishBroadcast(envelope: Envelope): Promise<void>;
  /** This node now has members of `group` (idempotent). */
  joinGroup(group: string): Promise<void>;
  /** This node has no members of `group` left (idempotent). */
  leaveGroup(group: string): Promise<void>;
  close(): Promise<void>;
}
