import type { GroupEvent, MsgEvent } from '@spear/protocol';
import { AckBatcher } from './ack-batcher';
import { DedupeWindow } from './dedupe-window';
import { SpearError } from './errors';
import type { EventHub } from './event-hub';
import type { SpearEvents } from './events';
import type { GroupTracker } from './group-tracker';
import type { AckMode } from './options';
import type { DeliveryKind } from './session';

/** Counters for observability (and tests): messages handed to the app, duplicates dropped. */
export interface DeliveryStats {
  delivered: number;
  duplicates: number;
}

/**
 * The inbound path: drops duplicates by id, keeps the groups' last seen ids,
 * hands messages to the app, and (ackMode 'auto') acks a `msg` once its
 * handlers are done.
 */
export class Delivery {
  private readonly dedupe: DedupeWindow;
  /** `msg` ids handed over (or held) whose handlers have not finished: a duplicate of one is not acked yet. */
  private readonly handling = new Set<string>();
  readonly acks: AckBatcher;
  readonly stats: DeliveryStats = { delivered: 0, duplicates: 0 };

  constructor(
    private readonly hub: EventHub<SpearEvents>,
    private readonly groups: GroupTracker,
    private readonly ackMode: AckMode,
    dedupeWindow: number,
    sendAcks: (ids: string[]) => void,
  ) {
    this.dedupe = new DedupeWindow(dedupeWindow);
    this.acks = new AckBatcher(sendAcks);
  }

  receive(kind: DeliveryKind, payload: { id: string }): void {
    const { id } = payload;
    if (kind === 'group') {
      const { group } = payload as GroupEvent;
      // A group left (or never joined) may still be joined on a connection being replaced: not the app's business.
      if (!this.groups.has(group)) return;
      this.groups.seen(group, id);
    }
    if (!this.dedupe.add(id)) {
      this.stats.duplicates++;
      // Already handled, but redelivered: our ack was lost or is still on its way. Acking again is harmless.
      if (kind === 'msg' && this.ackMode === 'auto' && !this.handling.has(id)) this.acks.add(id);
      return;
    }
    this.stats.delivered++;
    if (kind === 'msg') this.handling.add(id);
    this.hub.emit(kind, payload as SpearEvents[typeof kind]);
  }

  /** The hub dispatched an event; `settled` says how its handlers ended. */
  settled(kind: keyof SpearEvents, payload: unknown, settled: Promise<void>): void {
    if (kind === 'msg') {
      const { id } = payload as MsgEvent;
      settled.then(
        () => {
          this.handling.delete(id);
          if (this.ackMode === 'auto') this.acks.add(id);
        },
        (error: unknown) => {
          this.handling.delete(id);
          this.dedupe.forget(id);
          this.reportHandlerError('msg', error);
        },
      );
    } else if (kind === 'error') {
      settled.catch(() => undefined); // an error handler's own failure has nowhere left to go
    } else {
      settled.catch((error: unknown) => this.reportHandlerError(kind, error));
    }
  }

  /** A held event was dropped (hold limit): a dropped `msg` must reach the app when redelivered. */
  droppedHeld(kind: keyof SpearEvents, payload: unknown): void {
    if (kind !== 'msg') return;
    const { id } = payload as MsgEvent;
    this.handling.delete(id);
    this.dedupe.forget(id);
  }

  private reportHandlerError(kind: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.hub.emit('error', new SpearError('handler_error', `a ${kind} handler failed: ${message}`));
  }
}
