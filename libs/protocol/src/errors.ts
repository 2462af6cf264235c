/**
 * Every error code of PROTOCOL.md, once, with its HTTP status and default
 * message. Bodies are `{error: {code, message}}`; inside a socket ack,
 * `{ok: false, error: {...}}`.
 */
export const ERRORS = {
  bad_request: { status: 400, message: 'the request is malformed' },
  unauthorized: { status: 401, message: 'missing or wrong admin key' },
  invalid_token: { status: 401, message: 'the token is unknown, expired, revoked or for another uid' },
  not_found: { status: 404, message: 'not found' },
  too_large: { status: 413, message: 'the body is larger than allowed' },
  rate_limited: { status: 429, message: 'too many requests' },
  no_nodes: { status: 503, message: 'no spear node is live' },
  internal: { status: 500, message: 'internal error' },
  invalid_ticket: { status: 401, message: 'the ticket is invalid or already used' },
  expired_ticket: { status: 401, message: 'the ticket has expired' },
  wrong_node: { status: 401, message: 'the ticket is for another node' },
  draining: { status: 503, message: 'this node is draining' },
  history_gone: { status: 410, message: 'the group history no longer reaches back that far' },
  // HTTP-level refusals (no route of that method, a body that is not JSON), beyond PROTOCOL.md's list.
  method_not_allowed: { status: 405, message: 'method not allowed' },
  unsupported_media_type: { status: 415, message: 'unsupported media type' },
  // v1.1
  forbidden: { status: 403, message: 'a policy or a backend refused' },
  unavailable: { status: 503, message: 'no live backend' },
  timeout: { status: 504, message: 'a backend did not answer in time' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** Is `code` one of the catalog's codes? */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/**
 * A refusal with one of the catalog's codes, thrown wherever a request enters
 * (the node core, handshakes, HTTP) and turned into the protocol's error body
 * at the edge: a socket ack, a connect_error, an HTTP status.
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
  ) {
    super(message ?? ERRORS[code].message);
  }
}

/** The refusal codes a handshake may end with (connect_error's message); `bad_request`: a malformed `device`, beyond PROTOCOL.md's list. */
export const HANDSHAKE_ERRORS = ['invalid_ticket', 'expired_ticket', 'wrong_node', 'draining', 'forbidden', 'bad_request'] as const satisfies readonly ErrorCode[];
export type HandshakeErrorCode = (typeof HANDSHAKE_ERRORS)[number];

/** The protocol's error body for `code`, with the catalog's message unless one is given. */
export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  return { error: { code, message: message ?? ERRORS[code].message } };
}

/** An error code an app's backend chose (PROTOCOL.md v1.1, `rpc`): lowercase snake case. */
export const APP_ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * A refusal the app's backend chose for an `rpc` call: its code (lowercase
 * snake case, outside the catalog or not) reaches the client as is.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
