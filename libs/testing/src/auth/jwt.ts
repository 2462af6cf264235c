import { createHmac } from 'node:crypto';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A JWT with `claims`, as an app's own auth server would issue it (PROTOCOL:
 * "a token may also be an HS256 JWT"). The signature is always HMAC-SHA256
 * with `secret`, whatever `header.alg` says, so tests can forge tokens that
 * claim another algorithm; `alg: 'none'` leaves the signature empty, as an
 * attacker would. Test use only: no claim is checked or added here.
 */
export function signJwt(claims: object, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64(header)}.${b64(claims)}`;
  return header.alg === 'none' ? `${head}.` : `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
