import { compareIds } from './ids';

/** What the watermark says of an arriving `msg`: a duplicate to drop, or one to go on with (new as far as seq tells). */
export type SeqVerdict = 'duplicate' | 'new' | 'restarted';

/**
 * The highest seq this client's device acked cumulatively (an `ack {upTo}`
 * the server confirmed), to drop redeliveries that the id window no longer
 * remembers: a `msg` with a seq at or below it is one the device has acked.
 *
 * A log can start again from seq 1 (its keys expired after a long silence,
 * or Redis lost them), and a watermark of the old log would then drop new
 * messages. Message ids are snowflakes, newer for later messages, so a
 * duplicate also has an id no newer than the newest one handed to the app;
 * a `msg` at or below the watermark with a newer id proves the restart, and
 * the watermark is forgotten ('restarted').
 *
 * Guarantee: 'duplicate' only for a seq ≤ the confirmed watermark and an id
 * no newer than one handed over before.
 */
export class SeqWatermark {
  private acked = 0;
  private newestId?: string;

  /** The confirmed cumulative ack (0: none). */
  get upTo(): number {
    return this.acked;
  }

  /** A seq'd message reached the app (or was sent by it: a sender copy). */
  seen(id: string): void {
    if (this.newestId === undefined || compareIds(id, this.newestId) > 0) this.newestId = id;
  }

  /** The server confirmed `ack {upTo}` (it clamps to its last seq; a higher value is forgotten by the first newer message). */
  confirmed(upTo: number): void {
    if (upTo > this.acked) this.acked = upTo;
  }

  check(seq: number, id: string): SeqVerdict {
    if (seq > this.acked || this.newestId === undefined) return 'new';
    if (compareIds(id, this.newestId) <= 0) return 'duplicate';
    this.acked = 0;
    return 'restarted';
  }
}
