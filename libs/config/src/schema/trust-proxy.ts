import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Address sets a profile may name instead of spelling their ranges (the
 * names Fastify's trustProxy, through proxy-addr, also knows).
 */
const NAMED_RANGES: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** An IPv4 or IPv6 address, with an optional /prefix that fits its family. */
function isAddressOrCidr(entry: string): boolean {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = entry.slice(slash + 1);
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const proxyEntry = z
  .string()
  .refine((entry) => entry in NAMED_RANGES || isAddressOrCidr(entry), {
    error: (issue) => `${JSON.stringify(issue.input)}: expected an IP address, a CIDR (10.0.0.0/8, fd00::/8) or one of ${Object.keys(NAMED_RANGES).join(', ')}`,
  });

/**
 * Which direct peers may tell the client's address in X-Forwarded-For
 * (ticket's request.ip, spear's handshake address): `false` (the default:
 * the header is never read) or the proxies' addresses and CIDRs. Named sets
 * are expanded here, so the apps get plain addresses and ranges.
 *
 * Not accepted, on purpose: `true` and hop counts (both forms Fastify knows).
 * They trust the header from whichever peer connects, so any client that can
 * reach the port directly picks its own address, and behind nginx's usual
 * `$proxy_add_x_forwarded_for` (which appends to what the client sent) `true`
 * reads the client's own claim.
 */
export const trustProxySchema = z
  .union([z.literal(false), z.array(proxyEntry).min(1).max(256)], {
    error: (issue) =>
      issue.code === 'invalid_union' && !Array.isArray(issue.input)
        ? 'expected false or a list of proxy addresses or CIDRs (true and hop counts are refused: they would trust X-Forwarded-For from any peer)'
        : undefined,
  })
  .transform((trust) => (trust === false ? false : [...new Set(trust.flatMap((entry) => NAMED_RANGES[entry] ?? [entry]))]));

/** A profile's trustProxy after loading: false, or addresses and CIDRs (no names). */
export type TrustProxy = false | string[];
