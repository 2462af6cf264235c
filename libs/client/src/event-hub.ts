/** A handler for payloads of type P; it may return a promise (see onDispatch). */
export type Handler<P> = (payload: P) => unknown;

export interface EventHubOptions<E> {
  /**
   * Kinds whose events are held while no handler is registered, then handed
   * over in order to the first handler registered. Why: the server replays the
   * inbox right after `ready`, before the app can subscribe to a client that
   * `connect()` has only just returned.
   */
  holdable: ReadonlyArray<keyof E>;
  /** At most this many events are held per kind; beyond it the oldest is dropped (and reported to onDropHeld). */
  holdLimit: number;
  /** Called once per dispatched event with a promise that settles when every handler has returned or resolved. */
  onDispatch?: (kind: keyof E, payload: unknown, settled: Promise<void>) => void;
  onDropHeld?: (kind: keyof E, payload: unknown) => void;
}

/**
 * Typed events for an event map E (kind → payload type). Handlers run
 * synchronously in registration order; a throwing handler does not keep the
 * others from running (its error settles `settled` as rejected).
 */
export class EventHub<E extends object> {
  private readonly handlers = new Map<keyof E, Set<Handler<never>>>();
  private readonly held = new Map<keyof E, unknown[]>();
  private readonly flushing = new Set<keyof E>();

  constructor(private readonly options: EventHubOptions<E>) {}

  /** Adds a handler; returns a function that removes it. */
  on<K extends keyof E>(kind: K, handler: Handler<E[K]>): () => void {
    let set = this.handlers.get(kind);
    if (!set) this.handlers.set(kind, (set = new Set()));
    set.add(handler as Handler<never>);
    if (this.held.get(kind)?.length && !this.flushing.has(kind)) {
      this.flushing.add(kind);
      // Not inside on(): handing events over before on() returns would surprise the caller.
      queueMicrotask(() => this.flushHeld(kind));
    }
    return () => this.off(kind, handler);
  }

  off<K extends keyof E>(kind: K, handler: Handler<E[K]>): void {
    this.handlers.get(kind)?.delete(handler as Handler<never>);
  }

  count(kind: keyof E): number {
    return this.handlers.get(kind)?.size ?? 0;
  }

  /** Dispatches now, or holds the event (holdable kinds without handlers, or behind held ones to keep order). */
  emit<K extends keyof E>(kind: K, payload: E[K]): void {
    const queue = this.held.get(kind);
    if (this.options.holdable.includes(kind) && (this.count(kind) === 0 || queue?.length)) {
      this.hold(kind, payload);
      return;
    }
    this.dispatch(kind, payload);
  }

  private hold(kind: keyof E, payload: unknown): void {
    let queue = this.held.get(kind);
    if (!queue) this.held.set(kind, (queue = []));
    queue.push(payload);
    if (queue.length > this.options.holdLimit) this.options.onDropHeld?.(kind, queue.shift());
  }

  private flushHeld(kind: keyof E): void {
    this.flushing.delete(kind);
    const queue = this.held.get(kind) ?? [];
    while (queue.length && this.count(kind) > 0) this.dispatch(kind, queue.shift() as E[keyof E]);
  }

  private dispatch<K extends keyof E>(kind: K, payload: E[K]): void {
    const results: unknown[] = [];
    for (const handler of [...(this.handlers.get(kind) ?? [])]) {
      try {
        results.push((handler as Handler<E[K]>)(payload));
      } catch (error) {
        results.push(Promise.reject(error));
      }
    }
    const settled = Promise.all(results).then(() => undefined);
    if (this.options.onDispatch) this.options.onDispatch(kind, payload, settled);
    else settled.catch(() => undefined);
  }
}
