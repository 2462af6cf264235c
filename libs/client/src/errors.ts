import type { ErrorCode } from '@spear/protocol';

/**
 * Codes the SDK itself produces, besides the protocol's (PROTOCOL.md):
 * - `timeout`: no connection, or no answer, within the call's time budget;
 * - `closed`: `close()` was called (or the client closed itself after a permanent error);
 * - `kicked`: the server kicked the connection (v1.1); pending calls reject with it, the client is closed;
 * - `disconnected`: the connection dropped after a send/publish was emitted and
 *   before its ack, so whether the server stored it is unknown;
 * - `network`: the ticket service or a node could not be reached;
 * - `handler_error`: an event handler of the app threw or rejected (emitted as `error`).
 */
export type ClientErrorCode = 'timeout' | 'closed' | 'disconnected' | 'network' | 'handler_error' | 'kicked';

/** A protocol code, an SDK code, or (for forward compatibility) any other string a server sends. */
export type SpearErrorCode = ErrorCode | ClientErrorCode | (string & {});

/**
 * The one error type the SDK rejects with and emits: a refused ack, a refused
 * ticket or handshake, or an SDK condition. `code` is stable and meant for
 * `switch`; `message` is for humans. `group` names the group a rejoin failed for.
 */
export class SpearError extends Error {
  override readonly name = 'SpearError';

  constructor(
    readonly code: SpearErrorCode,
    message: string,
    readonly group?: string,
  ) {
    super(message);
  }
}

/** `error` as a SpearError (anything else is wrapped as `internal`). */
export function asSpearError(error: unknown): SpearError {
  if (error instanceof SpearError) return error;
  return new SpearError('internal', error instanceof Error ? error.message : String(error));
}
