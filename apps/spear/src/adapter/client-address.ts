import { BlockList, isIP } from 'node:net';

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack listener) as `10.0.0.1`, so one client has one address. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Who a connection's client is, given the proxies this node trusts (the
 * profile's spear.trustProxy: addresses and CIDRs). Same rule as Fastify's
 * trustProxy (proxy-addr), so ticket and spear see one client the same way:
 * start from the direct peer; while the address in hand is a trusted proxy,
 * step to the next X-Forwarded-For entry from the right; the first address
 * that is not a trusted proxy is the client (or the leftmost entry when every
 * hop is trusted). With no trusted proxies the header is never read. One
 * difference: an entry that is not an IP address is not taken as the client
 * (proxy-addr would); the proxy that passed it on is.
 */
export class ProxyTrust {
  private readonly proxies?: BlockList;

  /** `trusted`: false, or addresses and CIDRs (validated by libs/config). */
  constructor(trusted: false | readonly string[]) {
    if (!trusted) return;
    this.proxies = new BlockList();
    for (const entry of trusted) {
      const [address, prefix] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      this.proxies.addSubnet(address, prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix), family);
    }
  }

  /** Whether `address` is one of the trusted proxies. */
  trusts(address: string): boolean {
    const family = isIP(address);
    return this.proxies !== undefined && family !== 0 && this.proxies.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The client's address: `peer` (the TCP peer) unless it is a trusted proxy
   * and `forwardedFor` (the X-Forwarded-For header, once or repeated) names
   * another hop. '' when the peer is unknown (a socket already gone).
   */
  clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    let address = plain(peer ?? '');
    if (!this.proxies || forwardedFor === undefined || !this.trusts(address)) return address;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plain(hops[i]!.trim());
      // An entry that is no address ends the walk at the proxy that wrote it: it is the last hop we can believe.
      if (isIP(hop) === 0) return address;
      address = hop;
      if (!this.trusts(address)) return address;
    }
    return address;
  }
}
