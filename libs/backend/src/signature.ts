import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header an HTTP backend finds a call's signature in (lower case, as node:http gives headers). */
export const SIGNATURE_HEADER = 'x-spear-signature';

/** X-Spear-Signature (PROTOCOL.md v1.1): the hex HMAC-SHA256 of the raw body with the profile's hook secret. */
export function signBody(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** Whether `signature` (hex) is `rawBody`'s X-Spear-Signature under `secret`. Constant time. */
export function verifySignature(rawBody: Buffer | string, signature: string | undefined, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(signature ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
