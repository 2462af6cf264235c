/** A client's `rpc` call as the gateway hands it over (PROTOCOL.md v1.1). */
export interface RpcCall {
  uid: string;
  device: string;
  sessionId: string;
  /** The spear node the client is connected to. */
  node: string;
  method: string;
  data: unknown;
  /** What the connect hook attached to the connection; null without one. */
  meta: unknown;
}

export interface ConnectCall {
  uid: string;
  device: string;
  node: string;
  sessionId: string;
  ip: string;
}
export interface ConnectAnswer {
  allow: boolean;
  /** Groups the connection is put in before `ready`. */
  groups?: string[];
  /** Any JSON; every later hook and rpc call of the connection carries it. */
  meta?: unknown;
}
export interface JoinCall {
  uid: string;
  device: string;
  group: string;
  meta: unknown;
}
export interface PublishCall extends JoinCall {
  body: unknown;
}
export interface DisconnectCall {
  uid: string;
  device: string;
  sessionId: string;
  reason: string;
}
export interface UndeliveredCall {
  uid: string;
  id: string;
  from: string;
  ts: number;
}

/** An app's handlers of the five hooks; any may be left out (the profile names only those it uses). */
export interface Hooks {
  connect?(call: ConnectCall): ConnectAnswer | Promise<ConnectAnswer>;
  join?(call: JoinCall): { allow: boolean } | Promise<{ allow: boolean }>;
  /** A returned `body` replaces the published one. */
  publish?(call: PublishCall): { allow: boolean; body?: unknown } | Promise<{ allow: boolean; body?: unknown }>;
  /** A notification: at most once per connection. */
  disconnect?(call: DisconnectCall): void | Promise<void>;
  /** At least once per unacked message: deduplicate by `id`. */
  undelivered?(call: UndeliveredCall): void | Promise<void>;
}
export type HookName = keyof Hooks;
export const HOOK_NAMES: readonly HookName[] = ['connect', 'join', 'publish', 'disconnect', 'undelivered'];

/** A method handler: resolves with the `data` the client gets, or throws a BackendError whose code the client gets. */
export type MethodHandler = (call: RpcCall) => unknown;

/**
 * A refusal the client receives as is: `code` is lowercase snake case
 * (e.g. `insufficient_funds`); anything else a handler throws reaches the
 * client as `internal`.
 */
export class BackendError extends Error {
  constructor(
    readonly code: string,
    message = code,
  ) {
    super(message);
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(code)) throw new Error(`BackendError: "${code}" is not a lowercase snake case code`);
  }
}
