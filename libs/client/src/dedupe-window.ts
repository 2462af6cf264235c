/**
 * The ids seen most recently, at most `size` of them (least recently seen
 * evicted first). Used to hand each message to the app once although the
 * server delivers at-least-once (inbox replay on every connection, overlap
 * while migrating).
 *
 * Guarantee: an id is reported new at most once while it stays among the last
 * `size` distinct ids seen; every operation is O(1).
 */
export class DedupeWindow {
  // A Set iterates in insertion order, so its first element is the least recently seen.
  private readonly ids = new Set<string>();

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`dedupe window must be a positive integer, got ${size}`);
  }

  /** True when `id` is new (it is now remembered); false for a duplicate (it becomes the most recent). */
  add(id: string): boolean {
    if (this.ids.delete(id)) {
      this.ids.add(id);
      return false;
    }
    this.ids.add(id);
    if (this.ids.size > this.size) this.ids.delete(this.ids.values().next().value!);
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Forgets `id`, so its next delivery is handed over again (a handler failed; a redelivery should retry it). */
  forget(id: string): void {
    this.ids.delete(id);
  }

  get count(): number {
    return this.ids.size;
  }
}
