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
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** The protocol's error body for `code`, with the catalog's message unless one is given. */
export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  return { error: { code, message: message ?? ERRORS[code].message } };
}
