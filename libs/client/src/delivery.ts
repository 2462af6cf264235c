import type { GroupEvent, MsgEvent } from '@spear/protocol';
import { AckBatcher, type AckRequest, type Scheduler } from './ack-batcher';
import { DedupeWindow } from './dedupe-window';
import { SpearError } from './errors';
import type { EventHub } from './event-hub';
import type { SpearEvents } from './events';
import type { GroupTracker } from './group-tracker';
import type { AckMode } from './options';
import { SeqRun } from './seq-run';
import { SeqWatermark } from './seq-watermark';
import type { DeliveryKind } from './session';

/** Counters for observability (and tests): messages handed to the app, duplicates dropped. */
export interface DeliveryStats {
  delivered: number;
  duplicates: number;
}

/** A `msg` handed over (or held) whose handlers have not finished, and the connections that delivered it. */
interface Handling {
  seq?: number;
  runs: Set<SeqRun>;
  /** It arrived below its connection's run (SeqRun.below): its ack sends the connection's upTo again. */
  late?: true;
}

/** A `msg`'s seq when it has a usable one (a v1 server sends none). */
export function seqOf(payload: { seq?: unknown }): number | undefined {
  const { seq } = payload;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1 ? seq : undefined;
}

/**
 * The inbound path: drops duplicates (by id, and by seq at or below the
 * device's confirmed cumulative ack), keeps the groups' last seen ids, hands
 * messages to the app, and (ackMode 'auto') acks a `msg` once its handlers
 * are done: cumulatively (`upTo`) over the seqs each connection delivered
 * without a hole, by id above a hole or without a seq.
 */
export class Delivery {
  private readonly dedupe: DedupeWindow;
  private readonly handling = new Map<string, Handling>();
  /** One SeqRun per connection (keyed by its Session): the tracking starts afresh on every connection. */
  private readonly runs = new WeakMap<object, SeqRun>();
  private readonly watermark = new SeqWatermark();
  readonly acks: AckBatcher;
  readonly stats: DeliveryStats = { delivered: 0, duplicates: 0 };

  constructor(
    private readonly hub: EventHub<SpearEvents>,
    private readonly groups: GroupTracker,
    private readonly ackMode: AckMode,
    dedupeWindow: number,
    sendAcks: (ack: AckRequest) => void,
    ackDelayMs = 0,
    schedule?: Scheduler,
  ) {
    this.dedupe = new DedupeWindow(dedupeWindow);
    this.acks = new AckBatcher(sendAcks, ackDelayMs, schedule);
  }

  /** An event from the connection `source` (any object identifying it: its Session). */
  receive(kind: DeliveryKind, payload: { id: string }, source: object): void {
    if (kind === 'msg') return this.receiveMsg(payload as MsgEvent, source);
    const { id } = payload;
    if (kind === 'group') {
      const { group } = payload as GroupEvent;
      // A group left (or never joined) may still be joined on a connection being replaced: not the app's business.
      if (!this.groups.has(group)) return;
      this.groups.seen(group, id);
    }
    if (!this.dedupe.add(id)) {
      this.stats.duplicates++;
      return;
    }
    this.stats.delivered++;
    this.hub.emit(kind, payload as SpearEvents[typeof kind]);
  }

  private receiveMsg(message: MsgEvent, source: object): void {
    const { id } = message;
    const seq = seqOf(message);
    const run = seq === undefined || this.ackMode !== 'auto' ? undefined : this.runOf(source);
    const late = run?.below(seq!) ?? false;
    run?.received(seq!);
    // A late seq (SeqRun.below) may sit under an upTo that the server held back below it: the watermark
    // cannot tell, so only its id decides whether it is a duplicate.
    if (seq !== undefined && !late) {
      const verdict = this.watermark.check(seq, id);
      if (verdict === 'duplicate') {
        this.stats.duplicates++;
        run?.done(seq); // acked already: no hole here
        return;
      }
      // The log started again: an upTo of the old one says nothing about the new seqs.
      if (verdict === 'restarted') this.acks.rewind(0);
    }
    if (!this.dedupe.add(id)) {
      this.stats.duplicates++;
      this.again(id, seq, run);
      return;
    }
    this.stats.delivered++;
    if (seq !== undefined) this.watermark.seen(id);
    this.handling.set(id, { ...(seq === undefined ? {} : { seq }), runs: new Set(run ? [run] : []), ...(late ? { late: true as const } : {}) });
    this.hub.emit('msg', message);
  }

  /**
   * A `send` answered with its sender copy's seq (sender copies on; the
   * sending connection does not get the copy): in 'auto' mode this device
   * acks the copy, and its redelivery is a duplicate. 'manual': the app acks it.
   */
  sent(id: string, seq: number, source: object): void {
    this.watermark.seen(id);
    if (this.ackMode !== 'auto') return;
    const run = this.runOf(source);
    run.received(seq);
    if (!this.dedupe.add(id)) return this.again(id, seq, run);
    run.done(seq);
    this.acks.add(id, seq, run);
  }

  /** The server confirmed `ack {upTo}` (the SDK's or the app's). */
  confirmed(upTo: number): void {
    this.watermark.confirmed(upTo);
  }

  /** An `ack {upTo}` failed: a later flush sends it again. */
  ackFailed(): void {
    this.acks.rewind(this.watermark.upTo);
  }

  /** The hub dispatched an event; `settled` says how its handlers ended. */
  settled(kind: keyof SpearEvents, payload: unknown, settled: Promise<void>): void {
    if (kind === 'msg') {
      const { id } = payload as MsgEvent;
      settled.then(
        () => {
          const entry = this.handling.get(id);
          this.handling.delete(id);
          if (this.ackMode === 'auto') this.done(id, entry?.seq, entry?.runs ?? [], entry?.late);
        },
        (error: unknown) => {
          // Its seq stays a hole in every run: not acked, redelivered on a later connection, handed over again.
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

  /** A message seen before arrived again (on `run`'s connection, when it has a seq and acks are automatic). */
  private again(id: string, seq: number | undefined, run: SeqRun | undefined): void {
    const entry = this.handling.get(id);
    // Still being handled: its ack waits for the handlers, and then covers this connection too.
    if (entry) {
      if (run) entry.runs.add(run);
      return;
    }
    // Already handled, but redelivered: our ack was lost or is still on its way. Acking again is harmless.
    if (this.ackMode === 'auto') this.done(id, seq, run ? [run] : []);
  }

  private done(id: string, seq: number | undefined, runs: Iterable<SeqRun>, late = false): void {
    let any = false;
    // A late seq that an upTo sent already covers: the server held that upTo back below it (it never acks a
    // seq it did not hand this connection), so the next flush sends the upTo again, now covering both.
    if (late) this.acks.rewind(seq! - 1);
    for (const run of runs) {
      run.done(seq!);
      this.acks.add(id, seq, run);
      any = true;
    }
    if (!any) this.acks.add(id, seq);
  }

  private runOf(source: object): SeqRun {
    let run = this.runs.get(source);
    if (!run) this.runs.set(source, (run = new SeqRun()));
    return run;
  }

  private reportHandlerError(kind: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.hub.emit('error', new SpearError('handler_error', `a ${kind} handler failed: ${message}`));
  }
}
