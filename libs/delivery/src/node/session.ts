import type { MsgEvent } from '@spear/protocol';
import { TokenBucket } from './token-bucket';

/**
 * One connection as the node core sees it. A transport keeps it with its
 * connection (socket.io: as the socket's data) and hands it back to the core;
 * its fields are the core's, not the transport's to change. Idle connections
 * are what a node holds most of, so this stays small: the rate-limit bucket,
 * the send chain and the group set are made at first use.
 */
export class Session<C> {
  /**
   * While the log replay of the connect runs, live 1:1 messages wait here
   * (so none is missed and none overtakes the replay); undefined afterwards.
   */
  buffered: MsgEvent[] | undefined = [];
  /** Groups this connection is in: most are in none or one, so one is kept inline (a Set costs ~160 bytes). */
  groups?: string | Set<string>;
  /** The groups it is in because its user is a member (left again when the membership goes). */
  memberGroups?: Set<string>;
  /** Serializes sends and publishes (serialize()): their order is the order of their acks. */
  chain?: Promise<unknown>;
  bucket?: TokenBucket;
  /** Every seq of the user's log up to here was handed to this connection or acked before: the most it may ack with `upTo` (seq-holes.ts). */
  seqFloor = 0;
  /** Seqs handed above a hole (sorted); undefined while there is none. */
  seqsAbove?: number[];
  /** When the lowest hole opened (epoch ms); undefined while there is none. */
  holeSince?: number;
  /** The last `upTo` of this connection that reached the store. */
  ackedUpTo = 0;
  /** Set once the connection left; an arrival still in flight then undoes itself. */
  closed = false;
  /** What the connect hook attached (PROTOCOL.md v1.1): later hook and rpc calls carry it; null without one. */
  meta: unknown = null;

  constructor(
    /** The transport's handle of the connection. */
    readonly conn: C,
    readonly uid: string,
    /** The connection's id, shown to the client in `ready` (socket.io's socket id). */
    readonly id: string,
    /** The device it acks for (PROTOCOL.md v1.1; `default` when the client named none). */
    readonly device: string,
    /** The opaque token its ticket was issued with (tokenRef), so revoking it closes this connection. */
    readonly tokenRef?: string,
  ) {}

  /**
   * Runs `run` once this connection's previous serialized event settled,
   * however it settled (a reply that threw must not stop later events). The
   * settled tail is forgotten: kept, it would hold its payload and ack until
   * the connection's next event, seconds later (what the young GC copies and
   * promotes, then the old generation collects).
   */
  serialize<T>(run: () => Promise<T>): Promise<T> {
    const next = this.chain ? this.chain.then(run, run) : run();
    this.chain = next;
    const forget = () => this.chain === next && (this.chain = undefined);
    next.then(forget, forget);
    return next;
  }
}
