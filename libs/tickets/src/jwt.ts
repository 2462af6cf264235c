import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifies an HS256 JWT and returns its `sub`, or undefined. The algorithm is
 * pinned: `none`, RS*, and anything but HS256 are refused; `exp` is required.
 */
export function verifyJwtSubject(token: string, secret: string, now = Date.now()): string | undefined {
  return verifyJwt(token, secret, now)?.sub;
}

/** What a deployment may ask of its JWTs beyond the signature and `exp` (the profile's ticket.jwt). */
export interface JwtExpectations {
  /** `iss` must equal it. */
  issuer?: string;
  /** `aud` must equal it, or be a list holding it. */
  audience?: string;
  /** `exp` at most this far after `iat` (after now, when the token has no `iat`). */
  maxLifetimeSeconds?: number;
}

/** The verified claims Spear reads: `sub`, and `iat` (seconds) when present, for revocation by issue time. */
export function verifyJwt(token: string, secret: string, now = Date.now(), expect: JwtExpectations = {}): { sub: string; iat?: number } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, payload, signature] = parts as [string, string, string];
  const header = decode(head) as { alg?: unknown } | undefined;
  if (header?.alg !== 'HS256') return undefined;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${head}.${payload}`).digest('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = decode(payload) as { sub?: unknown; exp?: unknown; nbf?: unknown; iat?: unknown; iss?: unknown; aud?: unknown } | undefined;
  if (typeof claims?.sub !== 'string' || typeof claims.exp !== 'number') return undefined;
  if (now >= claims.exp * 1000) return undefined;
  if (typeof claims.nbf === 'number' && now < claims.nbf * 1000) return undefined;
  if (expect.issuer !== undefined && claims.iss !== expect.issuer) return undefined;
  if (expect.audience !== undefined && claims.aud !== expect.audience && !(Array.isArray(claims.aud) && claims.aud.includes(expect.audience))) return undefined;
  if (expect.maxLifetimeSeconds !== undefined) {
    const from = typeof claims.iat === 'number' ? claims.iat : now / 1000;
    if (claims.exp - from > expect.maxLifetimeSeconds) return undefined;
  }
  return { sub: claims.sub, ...(typeof claims.iat === 'number' ? { iat: claims.iat } : {}) };
}

/** True when a token has the shape of a JWT (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

function decode(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
