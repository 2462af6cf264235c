/** How a BoundedSender reports what it could not do; never thrown. */
export interface SenderLogger {
  warn(obj: object, msg: string): void;
}

export interface BoundedSenderOptions<T> {
  /** Delivers one item; rejecting keeps it for another try. */
  send(item: T): Promise<unknown>;
  /** Most items kept while the receiver is unreachable; the oldest go first. */
  capacity: number;
  /** Wait before trying again after a failure. */
  retryMs: number;
  logger?: SenderLogger;
  what: string;
}

/**
 * A bounded queue in front of a receiver that may be down: `push` never
 * blocks and never throws, one send is in flight at a time (items arrive in
 * push order), a failed send is tried again after `retryMs`, and when the
 * queue is full the oldest item is dropped (counted in `dropped`).
 * Guarantee: at-least-once for items that are not dropped (a send that timed
 * out may have arrived: receivers dedupe), at-most `capacity` items of memory.
 */
export class BoundedSender<T> {
  private readonly queue: T[] = [];
  private sending = false;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  private failing = false;
  dropped = 0;
  sent = 0;

  constructor(private readonly options: BoundedSenderOptions<T>) {}

  get pending(): number {
    return this.queue.length;
  }

  push(item: T): void {
    if (this.closed) return;
    this.queue.push(item);
    if (this.queue.length > this.options.capacity) {
      this.queue.shift();
      this.dropped++;
    }
    this.pump();
  }

  /** Stops sending; whatever is queued is dropped. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.queue.length = 0;
  }

  private pump(): void {
    if (this.sending || this.retryTimer || this.closed || this.queue.length === 0) return;
    this.sending = true;
    const item = this.queue[0]!;
    this.options.send(item).then(
      () => {
        this.sending = false;
        // The item may have been dropped meanwhile (queue full): remove it only if still first.
        if (this.queue[0] === item) this.queue.shift();
        this.sent++;
        if (this.failing) this.options.logger?.warn({ what: this.options.what, dropped: this.dropped }, 'stat reachable again');
        this.failing = false;
        this.pump();
      },
      (error: unknown) => {
        this.sending = false;
        if (!this.failing) this.options.logger?.warn({ what: this.options.what, err: String(error) }, 'stat unreachable; keeping the newest items');
        this.failing = true;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.pump();
        }, this.options.retryMs);
        this.retryTimer.unref();
      },
    );
  }
}
