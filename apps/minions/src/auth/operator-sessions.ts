import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';
import { dashboardError } from '../http/dashboard-error';

/** How long a session lasts from its login (not extended by use). */
export const SESSION_SECONDS = 12 * 3600;
/** A session id: 32 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** How long a session Redis last confirmed stays usable while Redis cannot be asked (an outage must not lock operators out of the dashboard that shows it). */
const OUTAGE_GRACE_MS = 10 * 60_000;
/** Sessions remembered for OUTAGE_GRACE_MS at most; the oldest are forgotten first. */
const MAX_REMEMBERED = 1000;
/** A session read that takes longer counts as Redis being unreachable. */
const READ_TIMEOUT_MS = 1000;

export interface OperatorSession {
  operator: string;
  /** Epoch ms of the login. */
  createdAt: number;
}

interface Remembered extends OperatorSession {
  confirmedAt: number;
}

/**
 * Operator sessions in Redis (`minions:session:<sha256 of the id>`, TTL
 * SESSION_SECONDS): any minions instance accepts a session another issued,
 * and logout deletes it, so the cookie stops working at once everywhere.
 * Only the id's digest is stored: reading Redis gives no usable cookie.
 *
 * While Redis cannot be asked, a session this instance saw confirmed within
 * OUTAGE_GRACE_MS still opens the dashboard (its revocation then waits for
 * Redis too); any other gets 503 engine_down.
 */
export class OperatorSessions {
  private readonly remembered = new Map<string, Remembered>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** A new session for `operator`: its id (the cookie's value) and how long the cookie lives. */
  async create(operator: string, now = Date.now()): Promise<{ id: string; maxAgeSeconds: number }> {
    if (this.redis.status !== 'ready') throw dashboardError(503, 'engine_down', `Redis is ${this.redis.status}: no session can be started`);
    const id = randomBytes(32).toString('base64url');
    const session: OperatorSession = { operator, createdAt: now };
    await this.redis.set(this.keys.minionsSession(digest(id)), JSON.stringify(session), 'EX', SESSION_SECONDS);
    this.remember(digest(id), session, now);
    return { id, maxAgeSeconds: SESSION_SECONDS };
  }

  /** The session a cookie value names, or undefined (none, expired, revoked, malformed). */
  async lookup(id: string | undefined, now = Date.now()): Promise<OperatorSession | undefined> {
    if (!id || !SESSION_ID.test(id)) return undefined;
    const key = digest(id);
    let stored: string | null;
    try {
      stored = await this.read(key);
    } catch (error) {
      const known = this.remembered.get(key);
      if (known && now - known.confirmedAt < OUTAGE_GRACE_MS && known.createdAt + SESSION_SECONDS * 1000 > now) return { operator: known.operator, createdAt: known.createdAt };
      throw dashboardError(503, 'engine_down', `Redis is unreachable, sessions cannot be checked: ${(error as Error).message}`);
    }
    const session = stored === null ? undefined : parseSession(stored);
    if (!session) {
      this.remembered.delete(key);
      return undefined;
    }
    this.remember(key, session, now);
    return session;
  }

  /** Ends a session at once (logout). Forgotten here even when Redis fails, which then throws. */
  async revoke(id: string | undefined): Promise<void> {
    if (!id || !SESSION_ID.test(id)) return;
    this.remembered.delete(digest(id));
    await this.redis.del(this.keys.minionsSession(digest(id)));
  }

  private async read(key: string): Promise<string | null> {
    // Not queued behind a reconnect: a dashboard request would hang for as long.
    if (this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS)));
    try {
      return await Promise.race([this.redis.get(this.keys.minionsSession(key)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private remember(key: string, session: OperatorSession, now: number): void {
    this.remembered.delete(key);
    this.remembered.set(key, { ...session, confirmedAt: now });
    if (this.remembered.size > MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
  }
}

const digest = (id: string) => createHash('sha256').update(id).digest('hex');

function parseSession(text: string): OperatorSession | undefined {
  try {
    const value = JSON.parse(text) as Partial<OperatorSession>;
    return typeof value.operator === 'string' && typeof value.createdAt === 'number' ? { operator: value.operator, createdAt: value.createdAt } : undefined;
  } catch {
    return undefined;
  }
}
