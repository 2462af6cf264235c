import { RpcException } from '@nestjs/microservices';

/** Error codes of the RPC layer, as they travel in replies and reach callers. */
export type RpcErrorCode =
  | 'no_provider' // no live provider for the service
  | 'timeout' // no reply within the call's timeout
  | 'connection_lost' // the provider's connection closed before the reply
  | 'shutting_down' // the provider refuses new calls while draining (never executed: safe to retry)
  | 'no_handler' // the provider has no handler for the pattern
  | 'not_serving' // the provider is up but may not serve now (e.g. a standby, or a lost lease): never executed
  | 'bad_request' // the frame or message was malformed
  | 'remote_error' // the handler threw; `message` says what
  | (string & {}); // a handler may throw an RpcError with its own code (e.g. clock_backwards)

/**
 * An RPC failure with a stable code; what callers and handlers throw and
 * catch. It is a Nest RpcException, so Nest's exception layer passes it
 * through to the transport instead of masking it as an internal error.
 */
export class RpcError extends RpcException {
  override readonly name = 'RpcError';
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    /** The provider the failure came from, when known. */
    readonly provider?: string,
  ) {
    super({ code, message });
    this.message = message;
  }
}

/** Errors after which the request certainly did not run on the provider: always safe to send elsewhere. */
export function neverExecuted(error: RpcError): boolean {
  return error.code === 'shutting_down' || error.code === 'no_handler' || error.code === 'not_sent' || error.code === 'not_serving';
}

/** Errors that say something about the provider, not the call: failover may try another. */
export function isProviderFailure(error: RpcError): boolean {
  return ['timeout', 'connection_lost', 'shutting_down', 'not_sent', 'not_serving'].includes(error.code);
}

/** The wire form of an error. */
export interface WireError {
  code: string;
  message: string;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof RpcError) return { code: error.code, message: error.message };
  const e = error as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = e?.code;
  return { code: typeof code === 'string' && /^[a-z_]+$/.test(code) ? code : 'remote_error', message };
}
