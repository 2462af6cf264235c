import type { RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { readCaFile } from './read-ca-file';

/**
 * TLS to Redis: Spear's `redis.tls` config section. `true` (or `{}`) checks
 * the server's certificate against the system's CAs; `caFile` (PEM) against
 * that CA instead; `servername` is the name the certificate must carry when
 * it is not the url's host; `rejectUnauthorized: false` (tests only) accepts
 * any certificate. Absent: TLS exactly when the url is `rediss://`.
 */
export type RedisTls = boolean | { caFile?: string; rejectUnauthorized?: boolean; servername?: string };

/**
 * Where a Redis client connects and who it is there: Spear's `redis` config
 * section in Spear's own shape (not ioredis's). The password comes from
 * SPEAR_REDIS_PASSWORD, never a profile file of a real deployment, and never
 * appears in a log line or an error.
 */
export interface RedisEndpoint {
  /** "redis://host:port[/db]", or "rediss://..." for TLS; without user or password (the config refuses those). */
  url: string;
  /** The ACL user (`AUTH username password`); needs `password`. */
  username?: string;
  /** Alone: `AUTH password`, as the `default` user (requirepass). */
  password?: string;
  tls?: RedisTls;
  /** true: `url` and `seeds` are nodes of a Redis Cluster (libs/bus RedisClient is then a cluster client). */
  cluster?: boolean;
  /** More cluster nodes to start from besides `url` (same scheme). */
  seeds?: readonly string[];
}

/** The options {@link redisConnectionOptions} makes: the user, the password and TLS (with the CA's PEM text). */
export type RedisConnectionOptions = Pick<RedisOptions, 'username' | 'password' | 'tls'>;

/** What a `redis.username` without a password is told: the password never goes in a profile file of a real deployment. */
export const REDIS_PASSWORD_MISSING = 'redis.password: missing: set SPEAR_REDIS_PASSWORD (redis.username names an ACL user, which needs its password from the environment)';

/**
 * The ioredis `username`, `password` and `tls` options for `endpoint`, for
 * every Redis client the project makes (the bus's two connections, each
 * app's main client), so none connects without them. Reads `tls.caFile` now.
 * Throws an error naming the field (never a secret) when the username has no
 * password, `tls: false` contradicts a rediss:// url, or the CA file cannot
 * be read.
 */
export function redisConnectionOptions(endpoint: RedisEndpoint): RedisConnectionOptions {
  const { username, password } = endpoint;
  // ioredis would send no AUTH at all and run every command as `default`.
  if (username !== undefined && password === undefined) throw new Error(REDIS_PASSWORD_MISSING);
  const tls = tlsOptions(endpoint);
  return {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** Node's TLS options (only the fields that are set, so the socket's defaults stay), or undefined for plaintext. */
function tlsOptions({ url, tls }: RedisEndpoint): ConnectionOptions | undefined {
  const rediss = /^rediss:/i.test(url);
  if (tls === false) {
    if (rediss) throw new Error('redis.tls: false contradicts a rediss:// url (TLS); use redis:// for plaintext');
    return undefined;
  }
  if (tls === undefined) return rediss ? {} : undefined;
  if (tls === true) return {};
  const { caFile, rejectUnauthorized = true, servername } = tls;
  return {
    rejectUnauthorized,
    ...(caFile !== undefined ? { ca: [readCaFile('redis.tls.caFile', caFile)] } : {}),
    ...(servername !== undefined ? { servername } : {}),
  };
}

/**
 * The url as a log line or an error may show it: scheme, host, port and
 * database. A user, a password and query parameters (ioredis reads options,
 * a password too, from those) are left out.
 */
export function loggableRedisUrl(url: string): string {
  try {
    const { protocol, host, pathname } = new URL(url);
    return `${protocol}//${host}${pathname === '/' ? '' : pathname}`;
  } catch {
    return '(a redis url that does not parse)';
  }
}

/**
 * What a connection error means when the server refused who the client is
 * (WRONGPASS, NOAUTH, NOPERM) or the TLS handshake failed, and which setting
 * to check; undefined for any other error. Holds no secret and no address
 * (Redis's refusals name neither; for TLS only Node's error code, as its
 * messages may name the host), so /healthz may show it.
 */
export function redisAccessProblem(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const refusal = /\b(WRONGPASS|NOAUTH|NOPERM)\b.*/.exec(message);
  if (refusal) return `authentication refused: ${refusal[0]} (check redis.username and SPEAR_REDIS_PASSWORD)`;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /CERT|TLS|SSL/.test(code)) return `TLS handshake failed: ${code} (check redis.tls and the server's certificate)`;
  return undefined;
}
