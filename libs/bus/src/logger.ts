/**
 * The slice of a pino logger the buses use, so `@spear/runtime`'s logger fits
 * without this library depending on pino. Every call is `(fields, message)`.
 */
export interface BusLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

const ignore = (): void => undefined;

/** The default when no logger is given: the buses stay silent. */
export const silentLogger: BusLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** The message of anything thrown, for log fields and wrapped errors. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
