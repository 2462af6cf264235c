import { AppError, ProtocolError, type ErrorCode } from '@spear/protocol';

/**
 * The `error` of a refused event's ack: a ProtocolError's code and message,
 * an app backend's own code (AppError) as it chose it, anything else
 * `internal` (its details are logged by the caller, never sent).
 */
export function refusalOf(error: unknown): { code: string; message: string; counted: ErrorCode | 'app'; unexpected: boolean } {
  if (error instanceof ProtocolError) return { code: error.code, message: error.message, counted: error.code, unexpected: false };
  if (error instanceof AppError) return { code: error.code, message: error.message, counted: 'app', unexpected: false };
  return { code: 'internal', message: 'internal error', counted: 'internal', unexpected: true };
}
