/**
 * The comparison benches' loss check for 1:1 traffic: every send the server
 * acked must be received once, by its addressee, in its sender's order.
 *
 * It keeps only what is in flight, so it adds nothing to a load generator's
 * heap that grows with the run's length (a set of every id ever sent did,
 * on top of the growth ClientFleet.collect describes): acked sends not
 * received yet, and receipts whose send's ack has not come back yet (a
 * delivery can overtake its ack). Duplicates and reordering are told
 * by sequence number: each receiver has one sender, whose numbers only grow.
 */

/** A receiver's view of its one sender's sequence numbers. */
export interface SequenceState {
  /** The highest sequence number received. */
  lastSeq: number;
  /** Numbers below lastSeq not received (yet): refused sends, or late ones. */
  missing?: Set<number>;
}

export type Receipt = 'first' | 'late' | 'duplicate' | 'misrouted';

export class DeliveryCheck {
  private readonly unreceived = new Set<string>();
  private readonly receivedBeforeAck = new Set<string>();
  private ackedCount = 0;
  readonly counters = { duplicates: 0, misrouted: 0, orderViolations: 0 };

  /** The server accepted send `id`; true when it has not been received yet (the usual case: the ack comes first). */
  acked(id: string): boolean {
    this.ackedCount++;
    if (this.receivedBeforeAck.delete(id)) return false;
    this.unreceived.add(id);
    return true;
  }

  /**
   * A message arrived at `receiverUid`: counts a duplicate (and says so: the
   * caller drops it), a late one (an order violation, still a delivery) or a
   * misrouted one (a delivery, but its sequence number is another sender's,
   * so the receiver's are left alone).
   */
  received(receiver: SequenceState, receiverUid: string, m: { id: string; to: string; seq: number }): Receipt {
    let receipt: Receipt = 'first';
    if (m.to !== receiverUid) {
      this.counters.misrouted++;
      receipt = 'misrouted';
    } else if (m.seq > receiver.lastSeq) {
      for (let skipped = receiver.lastSeq + 1; skipped < m.seq; skipped++) (receiver.missing ??= new Set()).add(skipped);
      receiver.lastSeq = m.seq;
    } else if (receiver.missing?.delete(m.seq)) {
      this.counters.orderViolations++;
      receipt = 'late';
    } else {
      this.counters.duplicates++;
      return 'duplicate';
    }
    if (!this.unreceived.delete(m.id)) this.receivedBeforeAck.add(m.id);
    return receipt;
  }

  /** Acked sends so far, and how many of them were never received. */
  get acks(): { acked: number; lost: number } {
    return { acked: this.ackedCount, lost: this.unreceived.size };
  }
}
