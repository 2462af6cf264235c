import type { RedisClient } from '@spear/bus';
import type { RateLimitScope, RedisKeys } from '@spear/catalog';
import type { TokenProof } from './token-check';

/** One fixed-window limit: at most `limit` hits per `windowMs`. */
export interface Window {
  limit: number;
  windowMs: number;
}

/** The gate's three budgets (the profile's ticket.rateLimit). */
export interface GateLimits {
  /** Requests whose token proved the uid, per uid. */
  perUid: Window;
  /** Every request, per client address. */
  perIp: Window;
  /** Failed token checks, per client address; past it the address is refused before its token is read. */
  perIpFailed: Window;
}

/**
 * How the gate decided one ticket request, in the order it checks:
 * the address's request budget, its failed-check budget, the token, the uid's budget.
 */
export type GateVerdict = 'admitted' | 'invalid_token' | 'rate_limited_ip' | 'rate_limited_ip_failed' | 'rate_limited_uid';

/**
 * The whole decision in one script (one command, one round trip): count the
 * request against its address; refuse an address past its failed checks
 * without reading its token; prove the token (the stored owner of an opaque
 * token, or the revocation time against a JWT's iat, the JWT itself having
 * been verified in JS); count a failure against the address, never the uid;
 * count a proven request against the uid. The keys live on one Redis (no
 * Redis Cluster slots).
 *
 * KEYS: ip window, ip failed-check window, uid window, opaque token ('' for a JWT), uid's revoked-before
 * ARGV: ip ms, ip limit, failed ms, failed limit, uid ms, uid limit, uid, proof ('' opaque | 'refused' | 'jwt:<iat>' | 'jwt:')
 */
const GATE = `
local function hit(key, ms)
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ms) end
  return n
end
if hit(KEYS[1], ARGV[1]) > tonumber(ARGV[2]) then return 'rate_limited_ip' end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[4]) then return 'rate_limited_ip_failed' end
local proof = ARGV[8]
local proven = false
if proof == '' then
  proven = KEYS[4] ~= '' and redis.call('GET', KEYS[4]) == ARGV[7]
elseif string.sub(proof, 1, 4) == 'jwt:' then
  local revoked = redis.call('GET', KEYS[5])
  local iat = tonumber(string.sub(proof, 5))
  -- iat has a second's resolution: a token of the revocation's second is not "before" it.
  proven = (not revoked) or (iat ~= nil and iat >= math.floor(tonumber(revoked) / 1000))
end
if not proven then
  hit(KEYS[2], ARGV[3])
  return 'invalid_token'
end
if hit(KEYS[3], ARGV[5]) > tonumber(ARGV[6]) then return 'rate_limited_uid' end
return 'admitted'`;

/**
 * The Redis side of POST /v1/tickets. Guarantees, across every ticket
 * instance (each count is an atomic INCR in the same script as the read it
 * depends on):
 * - at most `perIp.limit` requests per address and window are looked at;
 * - at most `perIpFailed.limit` failed token checks per address and window;
 *   later requests from it are refused whatever their token;
 * - a request counts against a uid's budget only when its token proved that
 *   uid, so requests with bogus tokens cannot lock a user out;
 * - a revoked token is seen by the very next request (Redis is its only copy).
 */
export class TicketGate {
  /** `keys`: the profile's key names (libs/catalog). */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly limits: GateLimits,
  ) {
    redis.defineCommand('spearTicketGate', { numberOfKeys: 5, lua: GATE });
  }

  /** `ip`: the client's address (request.ip, through the profile's trustProxy). */
  async check(uid: string, ip: string, proof: TokenProof, now = Date.now()): Promise<GateVerdict> {
    const { perUid, perIp, perIpFailed } = this.limits;
    const gate = this.redis as unknown as GateCommands;
    return gate.spearTicketGate(
      this.slotKey('ip', ip, perIp, now),
      this.slotKey('ip-failed', ip, perIpFailed, now),
      this.slotKey('uid', uid, perUid, now),
      proof.kind === 'opaque' ? proof.key : '',
      this.keys.revokedBefore(uid),
      perIp.windowMs,
      perIp.limit,
      perIpFailed.windowMs,
      perIpFailed.limit,
      perUid.windowMs,
      perUid.limit,
      uid,
      proof.kind === 'opaque' ? '' : proof.kind === 'refused' ? 'refused' : `jwt:${proof.iat ?? ''}`,
    );
  }

  /** The counter of `subject`'s current window (it expires with the window). */
  private slotKey(scope: RateLimitScope, subject: string, window: Window, now: number): string {
    return this.keys.rateLimit(scope, subject, Math.floor(now / window.windowMs));
  }
}

interface GateCommands {
  spearTicketGate(ipSlot: string, failedSlot: string, uidSlot: string, tokenKey: string, revoked: string, ...args: Array<string | number>): Promise<GateVerdict>;
}
