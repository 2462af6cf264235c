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
 * The decision in two round trips, each script on one Redis Cluster slot:
 * 1. beside each other: count the request against its address and refuse an
 *    address past its budgets (ADDRESS: its two counters share the address's
 *    hash tag), and read the proof (the stored owner of an opaque token, or
 *    the uid's revocation time against a JWT's iat, the JWT itself verified
 *    in JS first);
 * 2. count a failed proof against the address, never the uid, or a proven
 *    request against the uid (HIT).
 * A refused address gets its refusal whatever its token says: the proof read
 * beside it is dropped unlooked-at, so a locked-out address learns nothing.
 *
 * ADDRESS: KEYS ip window, ip failed-check window; ARGV ip ms, ip limit, failed limit.
 */
const ADDRESS = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return 'rate_limited_ip' end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[3]) then return 'rate_limited_ip_failed' end
return 'ok'`;

/** HIT: KEYS the window's counter; ARGV window ms. Counts one hit and returns the count. */
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * The Redis side of POST /v1/tickets. Guarantees, across every ticket
 * instance (each count is an atomic INCR in the same script as the read it
 * depends on):
 * - at most `perIp.limit` requests per address and window are admitted;
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
    redis.defineCommand('spearGateAddress', { numberOfKeys: 2, lua: ADDRESS });
    redis.defineCommand('spearGateHit', { numberOfKeys: 1, lua: HIT });
  }

  /** `ip`: the client's address (request.ip, through the profile's trustProxy). */
  async check(uid: string, ip: string, proof: TokenProof, now = Date.now()): Promise<GateVerdict> {
    const { perUid, perIp, perIpFailed } = this.limits;
    const gate = this.redis as unknown as GateCommands;
    const failedKey = this.windowKey('ip-failed', ip, perIpFailed, now);
    const [address, proven] = await Promise.all([
      gate.spearGateAddress(this.windowKey('ip', ip, perIp, now), failedKey, perIp.windowMs, perIp.limit, perIpFailed.limit),
      this.proves(uid, proof),
    ]);
    if (address !== 'ok') return address;
    if (!proven) {
      await gate.spearGateHit(failedKey, perIpFailed.windowMs);
      return 'invalid_token';
    }
    return (await gate.spearGateHit(this.windowKey('uid', uid, perUid, now), perUid.windowMs)) > perUid.limit ? 'rate_limited_uid' : 'admitted';
  }

  /** Whether `proof` proves `uid` now: an opaque token stored for it, or a JWT (verified in JS) not older than the uid's revocation. */
  private async proves(uid: string, proof: TokenProof): Promise<boolean> {
    if (proof.kind === 'refused') return false;
    if (proof.kind === 'opaque') return (await this.redis.get(proof.key)) === uid;
    const revoked = await this.redis.get(this.keys.revokedBefore(uid));
    // iat has a second's resolution: a token of the revocation's second is not "before" it.
    return revoked === null || (proof.iat !== undefined && proof.iat >= Math.floor(Number(revoked) / 1000));
  }

  /** The counter of `subject`'s current window (it expires with the window). */
  private windowKey(scope: RateLimitScope, subject: string, window: Window, now: number): string {
    return this.keys.rateLimit(scope, subject, Math.floor(now / window.windowMs));
  }
}

interface GateCommands {
  spearGateAddress(ipWindow: string, failedWindow: string, ipMs: number, ipLimit: number, failedLimit: number): Promise<'ok' | 'rate_limited_ip' | 'rate_limited_ip_failed'>;
  spearGateHit(window: string, ms: number): Promise<number>;
}
