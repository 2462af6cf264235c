import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff';

/**
 * A device name (PROTOCOL.md v1.1): 1-64 characters of [A-Za-z0-9_.:@-].
 * The protocol's DEVICE restated: importing it would bring the protocol's
 * schema library into the SDK bundle (options.spec.ts checks they agree).
 */
export const DEVICE = /^[A-Za-z0-9_.:@-]{1,64}$/;

/** How `msg` events are acked: after the handlers finish (`auto`), or by the app calling `ack()` (`manual`). */
export type AckMode = 'auto' | 'manual';

/** ackMode 'auto': how long handled messages wait to be acked together, unless `ackDelayMs` says otherwise. */
export const DEFAULT_ACK_DELAY_MS = 1000;

/** What `connect()` takes. Only ticketUrl, uid and token are required. */
export interface ConnectOptions {
  /** Base URL of the ticket service, e.g. `https://chat.example.com` (no `/v1`). */
  ticketUrl: string;
  uid: string;
  /**
   * The user's token from the app's backend. A function is called for every
   * ticket (each connection needs a new one), so the app can refresh it.
   */
  token: string | (() => string | Promise<string>);
  /**
   * This installation's device (PROTOCOL.md v1.1), sent in every handshake:
   * 1-64 characters of [A-Za-z0-9_.:@-], e.g. one per installed app. The
   * server keeps delivery state per (uid, device): each device gets every
   * message until it acks it. Default: none, the server's device `default`
   * (shared by every client that names none).
   */
  device?: string;
  /** Default `auto`. */
  ackMode?: AckMode;
  /**
   * ackMode 'auto': how long handled messages wait to be acked together
   * (the server redelivers unacked ones only on a device's next connection,
   * so acks are not urgent); `close()` sends what is waiting. 0: the next
   * macrotask. Default 1000 ms.
   */
  ackDelayMs?: number;
  /** How many recent message ids are remembered to drop duplicates. Default 10 000. */
  dedupeWindow?: number;
  /** Reconnect delays (see backoffDelay). Default `{ minMs: 250, maxMs: 10_000 }`. */
  backoff?: BackoffOptions;
  /** socket.io transports. Default `['websocket']`, as PROTOCOL.md says. */
  transports?: Array<'websocket' | 'polling' | 'webtransport'>;
  /** Time budget of one call (send, publish, join, leave, ack, history), waiting for a connection included. Default 10 000 ms. */
  timeoutMs?: number;
  /** How long `connect()` keeps trying before it rejects. Default 30 000 ms. */
  connectTimeoutMs?: number;
  /** The fetch to get tickets with. Default the global `fetch`. */
  fetch?: typeof fetch;
}

/** ConnectOptions with every default applied and checked. */
export interface ResolvedOptions {
  ticketUrl: string;
  uid: string;
  token: () => Promise<string>;
  device?: string;
  ackMode: AckMode;
  ackDelayMs: number;
  dedupeWindow: number;
  backoff: BackoffOptions;
  transports: Array<'websocket' | 'polling' | 'webtransport'>;
  timeoutMs: number;
  connectTimeoutMs: number;
  fetch: typeof fetch;
}

/** Applies defaults; throws TypeError/RangeError for options that can never work (a programming error, not a runtime one). */
export function resolveOptions(options: ConnectOptions): ResolvedOptions {
  const { ticketUrl, uid, token } = options;
  if (typeof ticketUrl !== 'string' || !ticketUrl) throw new TypeError('ticketUrl is required');
  if (typeof uid !== 'string' || !uid) throw new TypeError('uid is required');
  if (typeof token !== 'string' && typeof token !== 'function') throw new TypeError('token must be a string or a function');
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  if (!(backoff.minMs > 0 && backoff.maxMs >= backoff.minMs)) throw new RangeError('backoff needs 0 < minMs <= maxMs');
  const ackMode = options.ackMode ?? 'auto';
  if (ackMode !== 'auto' && ackMode !== 'manual') throw new TypeError(`ackMode must be 'auto' or 'manual'`);
  const { device } = options;
  if (device !== undefined) {
    if (typeof device !== 'string') throw new TypeError('device must be a string');
    if (!DEVICE.test(device)) throw new RangeError(`device must be 1-64 characters of [A-Za-z0-9_.:@-], got ${JSON.stringify(device)}`);
  }
  const ackDelayMs = options.ackDelayMs ?? DEFAULT_ACK_DELAY_MS;
  // setTimeout treats a delay beyond 2^31 - 1 ms as 1 ms.
  if (!(typeof ackDelayMs === 'number' && ackDelayMs >= 0 && ackDelayMs <= MAX_DELAY_MS)) throw new RangeError(`ackDelayMs must be a number of ms in [0, ${MAX_DELAY_MS}], got ${ackDelayMs}`);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('no fetch available: pass options.fetch');
  return {
    ticketUrl: ticketUrl.replace(/\/+$/, ''),
    uid,
    token: typeof token === 'string' ? async () => token : async () => token(),
    ...(device === undefined ? {} : { device }),
    ackMode,
    ackDelayMs,
    dedupeWindow: positive('dedupeWindow', options.dedupeWindow ?? 10_000),
    backoff,
    transports: options.transports ?? ['websocket'],
    timeoutMs: positive('timeoutMs', options.timeoutMs ?? 10_000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? 30_000),
    // Bound to globalThis: browsers throw "Illegal invocation" for a fetch called as a method of another object.
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
  };
}

const MAX_DELAY_MS = 2 ** 31 - 1;

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
