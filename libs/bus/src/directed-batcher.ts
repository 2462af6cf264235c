import type { Envelope } from './bus';
import { encodeBatch, encodeEnvelope } from './envelope-codec';

/** Default of `batchWindowMs`: coalesce for the rest of this event-loop turn only. */
export const DEFAULT_BATCH_WINDOW_MS = 0;
/** Default of `publishWaitMs`: how long a publishToNodes promise may stay pending. */
export const DEFAULT_PUBLISH_WAIT_MS = 1_000;

/**
 * Largest wire message a destination's batch grows to before it is split, in
 * UTF-16 code units (at most 3 UTF-8 bytes each, so ≤ 384 KiB): one fits
 * Kafka's 1 MB default record limit and the Kafka send queue's 512 KiB
 * request budget, and does not hold a Redis connection for long. Beyond a few
 * hundred small envelopes per message the per-message saving is spent anyway.
 * Measured on the strings already built, so it costs no extra encoding.
 */
const MAX_WIRE_CHARS = 128 * 1024;

/** What goes to one node in one wire publish round: one or more wire messages, in order. */
export interface DirectedBatch {
  nodeId: string;
  /** Each a WireEnvelope's JSON; more than one only past MAX_WIRE_CHARS. */
  messages: string[];
}

/** One send of everything a window gathered. */
export interface DirectedSend {
  /** Per batch (same index), null when the engine accepted it or the error it was refused with; a rejection fails them all. */
  results: Promise<ReadonlyArray<Error | null>>;
}

/** Hands a window's batches to the engine, in one round trip where it can. */
export type DirectedSink = (batches: readonly DirectedBatch[]) => DirectedSend;

export interface DirectedBatcherOptions {
  /** Who the errors name, e.g. "RedisBus". */
  label: string;
  /** 0: the rest of this event-loop turn; otherwise at most this many ms (max 1). */
  windowMs?: number;
  /** How long an enqueue() promise may stay pending, from the call; above `windowMs`. */
  waitMs?: number;
  /**
   * 0 (default): a window is sent when it ends. Otherwise, a window that ends
   * while an earlier one's send is unanswered waits for that answer, at most
   * this many ms more (max 1), gathering later calls meanwhile: Nagle's rule,
   * so an idle engine gets each window at once and a busy one fewer, larger
   * publishes (what an engine pays per publish: see RedisBus).
   */
  holdWhileSendingMs?: number;
}

/** One destination's envelopes in a window, and the one promise every caller for it shares. */
interface Destination {
  nodeId: string;
  encoded: string[];
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
  /** The enqueue() call that last added to it, so a repeated node id counts once without a Set per call. */
  lastCall: number;
}

/** Everything gathered between the first enqueue of a window and its flush. */
interface Window {
  destinations: Map<string, Destination>;
  /** The wait bound: rejects whatever is still pending. One per window, not per envelope or destination. */
  timer: NodeJS.Timeout;
  settled: boolean;
  /** Handed to the sink (once). */
  flushed: boolean;
  /** Set while the window, ended, waits for the send before it (holdWhileSendingMs). */
  hold: NodeJS.Timeout | null;
}

/**
 * Coalesces directed envelopes per destination node within a short window,
 * so a busy node sends one wire message per destination instead of one per
 * envelope (the receiving bus unwraps it: see deliver.ts).
 *
 * Order: per destination, envelopes leave in enqueue order, and windows are
 * handed to the sink in order.
 * Guarantee of enqueue(): resolves once the engine accepted the publish that
 * carries the envelope to every named node; rejects when it refused one, on
 * close(), or when no answer came within `waitMs` of the window opening
 * (so never later than `waitMs` after the call). A window that timed out is
 * still sent (late, if its flush had not run yet): the bound only frees the
 * caller, and a recipient that is connected gets the message now rather than
 * at its next connection. Nothing is sent after close(). At most once.
 * With `holdWhileSendingMs`, a window may be sent up to that much later, and
 * only while the engine has not answered the window before it.
 * Hot path: one JSON.stringify per envelope whatever the number of nodes, one
 * promise per destination per window, one timer per window (two when held).
 */
export class DirectedBatcher {
  private readonly label: string;
  private readonly windowMs: number;
  private readonly waitMs: number;
  private readonly holdMs: number;
  private current: Window | null = null;
  private readonly inFlight = new Set<Window>();
  private calls = 0;
  private closedWith: Error | null = null;

  /** Throws, naming the option, when `windowMs` or `waitMs` is out of range. */
  constructor(
    private readonly sink: DirectedSink,
    options: DirectedBatcherOptions,
  ) {
    this.label = options.label;
    this.windowMs = options.windowMs ?? DEFAULT_BATCH_WINDOW_MS;
    this.waitMs = options.waitMs ?? DEFAULT_PUBLISH_WAIT_MS;
    this.holdMs = options.holdWhileSendingMs ?? 0;
    if (!(this.windowMs >= 0 && this.windowMs <= 1)) {
      throw new Error(`${this.label}: batchWindowMs must be between 0 and 1, got ${options.windowMs}`);
    }
    // Not above the window: every window would time out before its flush.
    if (!(this.waitMs > this.windowMs && Number.isFinite(this.waitMs))) {
      throw new Error(`${this.label}: publishWaitMs must be a number of ms above batchWindowMs, got ${options.waitMs}`);
    }
    if (!(this.holdMs >= 0 && this.holdMs <= 1)) {
      throw new Error(`${this.label}: holdWhileSendingMs must be between 0 and 1, got ${options.holdWhileSendingMs}`);
    }
  }

  /** Queues `envelope` for each distinct node in `nodeIds`; see the class comment for when it settles. */
  enqueue(nodeIds: readonly string[], envelope: Envelope): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (nodeIds.length === 0) return Promise.resolve();
    const window = (this.current ??= this.open());
    const encoded = encodeEnvelope(envelope);
    const call = ++this.calls;
    let first: Promise<void> | null = null;
    let all: Promise<void>[] | null = null;
    for (const nodeId of nodeIds) {
      let destination = window.destinations.get(nodeId);
      if (!destination) window.destinations.set(nodeId, (destination = newDestination(nodeId)));
      if (destination.lastCall === call) continue;
      destination.lastCall = call;
      destination.encoded.push(encoded);
      if (!first) first = destination.done;
      else (all ??= [first]).push(destination.done);
    }
    return all ? Promise.all(all).then(ignore) : first!;
  }

  /** Rejects everything not answered yet with `error`; later enqueues reject with it at once. */
  close(error: Error): void {
    this.closedWith = error;
    const windows = [...this.inFlight];
    if (this.current) windows.push(this.current);
    for (const window of windows) this.settle(window, () => error);
  }

  private open(): Window {
    const window: Window = {
      destinations: new Map(),
      timer: setTimeout(() => this.expire(window), this.waitMs),
      settled: false,
      flushed: false,
      hold: null,
    };
    if (this.windowMs > 0) setTimeout(() => this.end(window), this.windowMs);
    else setImmediate(() => this.end(window));
    return window;
  }

  /** The window takes its last envelope in this call's turn: sent now, or held while the one before is unanswered. */
  private end(window: Window): void {
    if (this.holdMs > 0 && this.inFlight.size > 0 && this.current === window) {
      window.hold = setTimeout(() => this.flush(window), this.holdMs);
      return;
    }
    this.flush(window);
  }

  private flush(window: Window): void {
    if (window.flushed) return;
    window.flushed = true;
    if (window.hold) clearTimeout(window.hold);
    if (this.current === window) this.current = null;
    if (this.closedWith) return; // closed before its turn: callers were told, nothing is sent
    const destinations = [...window.destinations.values()];
    const batches = destinations.map(({ nodeId, encoded }) => ({ nodeId, messages: split(encoded) }));
    if (!window.settled) this.inFlight.add(window);
    let send: DirectedSend;
    try {
      send = this.sink(batches);
    } catch (error) {
      this.settle(window, () => asError(error));
      return;
    }
    send.results.then(
      (results) => this.settle(window, (i) => results[i] ?? null),
      (error: unknown) => this.settle(window, () => asError(error)),
    );
  }

  private expire(window: Window): void {
    if (window.settled) return;
    const error = new Error(`${this.label}: publish failed: no answer within ${this.waitMs} ms`);
    this.settle(window, () => error);
  }

  /** Settles every destination of `window` once, with `outcome(index)`: null resolves, an error rejects. */
  private settle(window: Window, outcome: (index: number) => Error | null): void {
    if (window.settled) return;
    window.settled = true;
    // A window that expires before its flush (a stalled event loop) must take no more envelopes.
    if (this.current === window) this.current = null;
    clearTimeout(window.timer);
    this.inFlight.delete(window);
    let i = 0;
    for (const destination of window.destinations.values()) {
      const error = outcome(i++);
      if (error) destination.reject(error);
      else destination.resolve();
    }
    // A held window that expired goes now (late beats never), before any window after it.
    if (window.hold && !window.flushed) this.flush(window);
    // The engine answered (or the bound freed the callers): a window held behind this send goes now.
    const held = this.current;
    if (held?.hold && this.inFlight.size === 0) this.flush(held);
  }
}

function newDestination(nodeId: string): Destination {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { nodeId, encoded: [], done, resolve, reject, lastCall: 0 };
}

/** `encoded` as wire messages of at most MAX_WIRE_CHARS (a larger single envelope goes alone), in order. */
function split(encoded: readonly string[]): string[] {
  const messages: string[] = [];
  let start = 0;
  let chars = 0;
  for (let i = 0; i < encoded.length; i++) {
    const length = encoded[i]!.length + 1; // plus its comma
    if (i > start && chars + length > MAX_WIRE_CHARS) {
      messages.push(encodeBatch(encoded.slice(start, i)));
      start = i;
      chars = 0;
    }
    chars += length;
  }
  messages.push(encodeBatch(start === 0 ? encoded : encoded.slice(start)));
  return messages;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function ignore(): void {
  return undefined;
}
