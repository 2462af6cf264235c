import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'minions_session';
const SESSION_MS = 12 * 3600_000;

/**
 * Stateless operator sessions: the cookie is `<expiry>.<HMAC(expiry)>`, keyed
 * from the profile's secrets, so any minions instance accepts it and nothing
 * is stored (the dashboard keeps working while Redis is down).
 */
export class SessionCookies {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('minions-session-v1').digest();
  }

  issue(now = Date.now()): { value: string; maxAgeSeconds: number } {
    const expires = String(now + SESSION_MS);
    return { value: `${expires}.${this.sign(expires)}`, maxAgeSeconds: SESSION_MS / 1000 };
  }

  valid(value: string | undefined, now = Date.now()): boolean {
    if (!value) return false;
    const [expires, signature] = value.split('.');
    if (!expires || !signature || !/^\d+$/.test(expires) || Number(expires) < now) return false;
    const expected = Buffer.from(this.sign(expires));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
