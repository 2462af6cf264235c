/** What travels between spear nodes. Payloads are the protocol's event payloads. */
export type Envelope =
  | {
      t: 'msg';
      p: { id: string; from: string; to: string; body: unknown; ts: number; cid?: string; seq?: number };
      /** Whose connections it is for when not `p.to`'s: a sender copy goes to `p.from`'s. */
      owner?: string;
      /** A connection (session id) that must not get it: the one whose send made this sender copy. */
      skip?: string;
    }
  | { t: 'group'; p: { id: string; group: string; from: string; body: unknown; ts: number } }
  | { t: 'broadcast'; p: { id: string; body: unknown; ts: number } }
  /** Close the connections of `uid` (only those whose ticket came from token `token`, when given) after `kicked {reason}`. */
  | { t: 'kick'; p: { uid: string; reason: string; token?: string; ts: number } }
  /** `uid` became (`add`) or stopped being (`remove`) a member of `group`: its live connections follow. */
  | { t: 'member'; p: { uid: string; group: string; op: 'add' | 'remove'; ts: number } };

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
  /**
   * Directed delivery to each distinct named node (a repeated id counts once;
   * an empty list resolves at once).
   *
   * Resolves once the engine accepted the publish that carries the envelope
   * to every named node: accepted, not delivered (a node that is down misses
   * it). Rejects when the engine refused one of them, when the bus is closed
   * (also while pending), or when no answer came within `publishWaitMs`
   * (default 1000 ms) of the call: the promise never stays pending longer
   * than that. A rejection does not prove the envelope was lost (a publish
   * that timed out after reaching the engine may still arrive), so callers
   * that only need the bound can `.catch(() => undefined)`.
   *
   * At-most-once. Order per destination = call order on this bus. Calls
   * within `batchWindowMs` (default 0: the rest of this event-loop turn)
   * travel to each node as one publish; its `onEnvelope` still receives them
   * one by one. A bus may hold a window while its previous publish is
   * unanswered (the Redis bus: at most 1 ms), so a busy node publishes less often.
   */
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
