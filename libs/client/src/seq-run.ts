/** At most this many separate runs of done seqs are kept per connection (each is one hole below it). */
export const MAX_RANGES = 256;

/**
 * The seqs (positions in the user's log, PROTOCOL.md v1.1) one connection
 * delivered, and which of them need nothing more: handled by the app, or
 * known to be acked already. Used to ack with `{upTo}` instead of ids.
 *
 * Model: the server sends a connection its device's unacked messages from
 * the lowest up (the connect replay), then live ones, which may arrive
 * slightly out of seq order. So every seq below the lowest this connection
 * received (`base`) was acked before it arrived (or dropped by retention);
 * `base` follows a lower seq that arrives late.
 *
 * Guarantee: `top` is a seq such that every seq in (base, top] is done, so an
 * `ack {upTo: top}` acks nothing unhandled, provided no seq below `base`
 * arrives after that ack is sent (a live message delayed past the ack delay
 * on a connection whose replay was empty: the server never moves the cursor
 * over a seq it did not hand this connection, and the SDK sends its upTo
 * again once such a late one is done, see `below`). Forgetting done seqs (more than MAX_RANGES holes)
 * only makes `top` lower: those were acked by id.
 */
export class SeqRun {
  /** Every seq ≤ base is not this connection's to ack. Undefined until a seq arrives. */
  private base?: number;
  /** Done seqs above base: disjoint, sorted, never adjacent ([lo, hi] inclusive). */
  private readonly ranges: Array<[number, number]> = [];

  /**
   * Does `seq` arrive below what this connection took for its start? (A live
   * message overtaken by a later one on a connection whose replay was empty,
   * or one the server repaired: an upTo sent meanwhile was held back below
   * it by the server, so it must be sent again once this one is done.)
   */
  below(seq: number): boolean {
    return this.base !== undefined && seq <= this.base;
  }

  /** `seq` arrived on this connection (new or a duplicate). */
  received(seq: number): void {
    if (this.base === undefined || seq <= this.base) this.base = seq - 1;
  }

  /** `seq` needs nothing more: its handlers finished, or it is known to be acked. */
  done(seq: number): void {
    this.received(seq);
    const r = this.ranges;
    // The first range ending at or after seq - 1 is the only one seq can touch or join.
    let i = 0;
    while (i < r.length && r[i]![1] < seq - 1) i++;
    const at = r[i];
    if (!at || at[0] > seq + 1) r.splice(i, 0, [seq, seq]);
    else {
      at[0] = Math.min(at[0], seq);
      at[1] = Math.max(at[1], seq);
      const next = r[i + 1];
      if (next && next[0] <= at[1] + 1) {
        at[1] = Math.max(at[1], next[1]);
        r.splice(i + 1, 1);
      }
    }
    // Drop the lowest hole's upper side first: the run from base, if any, stays.
    if (r.length > MAX_RANGES) r.splice(1, 1);
  }

  /** The highest seq with every seq from base + 1 up to it done; undefined when base + 1 is not done. */
  get top(): number | undefined {
    const first = this.ranges[0];
    return first && this.base !== undefined && first[0] === this.base + 1 ? first[1] : undefined;
  }
}
