import { errorMessage } from './logger';

/** @platformatic/kafka's code for a refused SASL handshake (a wrong user or password). */
const AUTHENTICATION = 'PLT_KFK_AUTHENTICATION';
/** How deep into causes and aggregated errors the search goes: the client nests a handful of levels. */
const MAX_DEPTH = 12;

interface NestedError {
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * An error of @platformatic/kafka as an operator should read it. The client
 * wraps a refused login in its retries and connection errors ("Creating
 * topics failed" ← "Cannot connect to any broker" ← ... ← "SASL
 * authentication failed"), so the reason is brought to the front when it is
 * there; otherwise the error's own message. Never repeats a credential: the
 * client's messages carry none.
 */
export function platformaticErrorMessage(error: unknown): string {
  const refused = findByCode(error, AUTHENTICATION, 0);
  const message = errorMessage(error);
  return refused && refused !== error ? `${errorMessage(refused)} (${message})` : message;
}

function findByCode(error: unknown, code: string, depth: number): unknown {
  if (depth > MAX_DEPTH || typeof error !== 'object' || error === null) return undefined;
  const nested = error as NestedError;
  if (nested.code === code) return error;
  const children = [nested.cause, ...(Array.isArray(nested.errors) ? nested.errors : [])];
  for (const child of children) {
    const found = findByCode(child, code, depth + 1);
    if (found) return found;
  }
  return undefined;
}
