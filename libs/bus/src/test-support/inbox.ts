import type { Envelope } from '../bus';
import { idOf } from './envelopes';

/** Collects what one bus delivers, and lets a test wait for it. */
export class Inbox {
  readonly envelopes: Envelope[] = [];
  private waiters: Array<{ until: (inbox: Inbox) => boolean; resolve: () => void }> = [];

  /** Pass as the bus's `onEnvelope`. */
  readonly receive = (envelope: Envelope): void => {
    this.envelopes.push(envelope);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.until(this)) return true;
      waiter.resolve();
      return false;
    });
  };

  ids(): string[] {
    return this.envelopes.map(idOf);
  }

  has(id: string): boolean {
    return this.envelopes.some((envelope) => idOf(envelope) === id);
  }

  /** Resolves once an envelope with `id` arrived; rejects after `timeoutMs`. */
  waitFor(id: string, timeoutMs = 10_000): Promise<void> {
    return this.waitUntil((inbox) => inbox.has(id), `envelope ${id}`, timeoutMs);
  }

  /** Resolves once `count` envelopes arrived in total; rejects after `timeoutMs`. */
  waitForCount(count: number, timeoutMs = 10_000): Promise<void> {
    return this.waitUntil((inbox) => inbox.envelopes.length >= count, `${count} envelopes`, timeoutMs);
  }

  private waitUntil(until: (inbox: Inbox) => boolean, what: string, timeoutMs: number): Promise<void> {
    if (until(this)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        reject(new Error(`waiting for ${what} timed out after ${timeoutMs} ms (have ${this.envelopes.length})`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ until, resolve: done });
    });
  }
}
