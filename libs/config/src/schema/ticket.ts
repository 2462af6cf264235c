import { z } from 'zod';
import { DEFAULTS } from '../defaults';
import { httpListener } from './primitives';
import { trustProxySchema } from './trust-proxy';

const window = z.strictObject({ limit: z.number().int().min(1), windowMs: z.number().int().min(100).max(3_600_000) });

export const ticketSchema = z.strictObject({
  http: httpListener,
  ticketTtlSeconds: z.number().int().min(1).max(3600).default(DEFAULTS.ticket.ticketTtlSeconds),
  tokenTtlSeconds: z.number().int().min(1).max(30 * 86400).default(DEFAULTS.ticket.tokenTtlSeconds),
  bodyLimitBytes: z.number().int().min(1024).default(DEFAULTS.ticket.bodyLimitBytes),
  /** What a JWT token must also say (secrets.jwtSecret turns JWTs on): `iss`, `aud`, and at most this long from `iat` (or now) to `exp`. */
  jwt: z
    .strictObject({
      issuer: z.string().min(1).max(256).optional(),
      audience: z.string().min(1).max(256).optional(),
      maxLifetimeSeconds: z.number().int().min(1).max(365 * 86400).optional(),
    })
    .default({}),
  /**
   * POST /v1/tickets limits, shared by every ticket instance through Redis (fixed windows): `perIp` counts
   * every request of a client address, `perIpFailed` its failed token checks (past it the address is refused
   * before its token is read), `perUid` only requests whose token proved that uid (a stranger cannot spend it).
   */
  rateLimit: z
    .strictObject({
      perUid: window.default(DEFAULTS.ticket.rateLimit.perUid),
      perIp: window.default(DEFAULTS.ticket.rateLimit.perIp),
      perIpFailed: window.default(DEFAULTS.ticket.rateLimit.perIpFailed),
    })
    .default(DEFAULTS.ticket.rateLimit),
  /** Proxies whose X-Forwarded-For names the client (request.ip, the per-IP limits); false: the peer's own address. */
  trustProxy: trustProxySchema.default(DEFAULTS.ticket.trustProxy),
});
export type TicketConfig = z.infer<typeof ticketSchema>;
