import type Redis from 'ioredis';
import type { RateLimitScope, RedisKeys } from '@spear/catalog';

/** One fixed-window limit: at most `limit` hits per `windowMs`. */
export interface Window {
  limit: number;
  windowMs: number;
}

/**
 * Counts one hit in the uid's and the IP's fixed windows, reads the uid an
 * opaque token is bound to and when the uid's tokens were last revoked, in one script: a ticket costs one Redis command
 * and one round trip. The keys live on one Redis (no Redis Cluster slots).
 */
const GATE = `
local counts = {}
for i = 1, 2 do
  counts[i] = redis.call('INCR', KEYS[i])
  if counts[i] == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[i]) end
end
local owner = false
if KEYS[3] ~= '' then owner = redis.call('GET', KEYS[3]) end
return {counts[1], counts[2], owner, redis.call('GET', KEYS[4])}`;

/** What the gate saw for one ticket request. */
export interface GateResult {
  /** Both the uid's and the IP's window admit this request. */
  admitted: boolean;
  /** The uid the opaque token is bound to; null when unknown, expired or not asked. */
  tokenOwner: string | null;
  /** When the uid's tokens were last revoked (epoch ms): JWTs issued before are refused. */
  revokedBefore?: number;
}

/**
 * The Redis side of POST /v1/tickets. Guarantee: at most `limit` admitted
 * requests per uid and per IP per window across every ticket instance (INCR is
 * atomic), and a revoked token is seen by the very next request (Redis is its
 * only copy).
 */
export class TicketGate {
  /** `keys`: the profile's key names (libs/catalog). */
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly perUid: Window,
    private readonly perIp: Window,
  ) {
    redis.defineCommand('spearTicketGate', { numberOfKeys: 4, lua: GATE });
  }

  /** `tokenKey` '' skips the token read (a JWT proves the uid without Redis). */
  async check(uid: string, ip: string, tokenKey: string, now = Date.now()): Promise<GateResult> {
    const uidSlot = this.slotKey('uid', uid, this.perUid, now);
    const ipSlot = this.slotKey('ip', ip, this.perIp, now);
    const gate = this.redis as unknown as GateCommands;
    const [uidCount, ipCount, owner, revoked] = await gate.spearTicketGate(uidSlot, ipSlot, tokenKey, this.keys.revokedBefore(uid), this.perUid.windowMs, this.perIp.windowMs);
    return { admitted: uidCount <= this.perUid.limit && ipCount <= this.perIp.limit, tokenOwner: owner ?? null, ...(revoked ? { revokedBefore: Number(revoked) } : {}) };
  }

  /** The counter of `subject`'s current window (it expires with the window). */
  private slotKey(scope: RateLimitScope, subject: string, window: Window, now: number): string {
    return this.keys.rateLimit(scope, subject, Math.floor(now / window.windowMs));
  }
}

interface GateCommands {
  spearTicketGate(uidSlot: string, ipSlot: string, tokenKey: string, revoked: string, uidWindowMs: number, ipWindowMs: number): Promise<[number, number, string | null, string | null]>;
}
