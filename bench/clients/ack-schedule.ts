/**
 * When a load client's receivers send their acks, as @spear/client's
 * AckBatcher does: `delayMs` after the first message a receiver has not
 * acked yet, all of its pending ones in one ack. One schedule serves every
 * receiver of a worker: with one delay for all, the order receivers first
 * got a pending message is the order they fall due, so a pass over the due
 * ones stops at the first that is not.
 */
export class AckSchedule<R> {
  /** Receivers with acks pending, in due order, and when each falls due. */
  private readonly dueAt = new Map<R, number>();

  constructor(private readonly delayMs: number) {}

  /** A message for `receiver` is waiting to be acked (at time `now`, ms). */
  pending(receiver: R, now: number): void {
    if (!this.dueAt.has(receiver)) this.dueAt.set(receiver, now + this.delayMs);
  }

  /** `receiver` acked what it had (early, or because it fell due): its next message starts a new delay. */
  acked(receiver: R): void {
    this.dueAt.delete(receiver);
  }

  /** Takes the receivers due at `now`, oldest first. */
  takeDue(now: number): R[] {
    const due: R[] = [];
    for (const [receiver, at] of this.dueAt) {
      if (at > now) break;
      due.push(receiver);
    }
    for (const receiver of due) this.dueAt.delete(receiver);
    return due;
  }

  /** Takes every receiver with acks pending, due or not (a stop flushes them all). */
  takeAll(): R[] {
    const all = [...this.dueAt.keys()];
    this.dueAt.clear();
    return all;
  }
}

/** What a load receiver keeps for its acks (fields of the worker's user). */
export interface AckingReceiver {
  socket: { connected: boolean; emit(event: 'ack', payload: { upTo: number } | { ids: string[] }): unknown };
  pendingAcks: string[];
  /**
   * v1.1 servers number a user's messages (`seq`): while they arrive without
   * a hole, one `ack {upTo}` covers them all, as the SDK does (undefined
   * before the first); `seqHole` once one was missing or out of order.
   */
  contiguousSeq?: number;
  seqHole?: boolean;
}

/** How often due acks are looked for: an ack leaves at most this much after its due time. */
const ACK_TICK_MS = 20;
/** The most ids one `ack {ids}` may carry (ackPayload in @spear/protocol); more go in several, as the SDK sends them. */
const MAX_ACK_IDS = 1000;

/**
 * A worker's receivers acking as @spear/client does: each received message
 * is noted; `delayMs` after a receiver's first unacked one, one `ack {upTo}`
 * covers all of them (`ack {ids}` after a hole, in chunks of MAX_ACK_IDS).
 */
export class ReceiverAcks<R extends AckingReceiver> {
  private readonly schedule: AckSchedule<R>;

  constructor(delayMs: number) {
    this.schedule = new AckSchedule(delayMs);
    setInterval(() => this.schedule.takeDue(performance.now()).forEach((r) => this.flush(r)), ACK_TICK_MS).unref();
  }

  /** `receiver` got message `id` with `seq` (undefined from a v1 server). */
  received(receiver: R, id: string, seq: number | undefined): void {
    if (seq === undefined || (receiver.contiguousSeq !== undefined && seq !== receiver.contiguousSeq + 1)) receiver.seqHole = true;
    else receiver.contiguousSeq = seq;
    receiver.pendingAcks.push(id);
    this.schedule.pending(receiver, performance.now());
  }

  /** Sends every pending ack now, due or not (before the worker stops). */
  flushAll(): void {
    this.schedule.takeAll().forEach((r) => this.flush(r));
  }

  private flush(receiver: R): void {
    this.schedule.acked(receiver);
    if (receiver.pendingAcks.length === 0 || !receiver.socket.connected) return;
    const ids = receiver.pendingAcks;
    receiver.pendingAcks = [];
    // After a hole, ids for good: an upTo past it would ack the message never received.
    if (receiver.contiguousSeq !== undefined && !receiver.seqHole) receiver.socket.emit('ack', { upTo: receiver.contiguousSeq });
    else for (let i = 0; i < ids.length; i += MAX_ACK_IDS) receiver.socket.emit('ack', { ids: ids.slice(i, i + MAX_ACK_IDS) });
  }
}
