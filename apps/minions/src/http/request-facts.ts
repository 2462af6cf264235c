import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/*
 * Who sent a request and how it reached the dashboard: the client address
 * (login throttling, audit), whether it came over HTTPS (the cookie's Secure
 * flag) and the origin it asked for (the Origin check). All three are read
 * from Fastify (request.ip, request.protocol, request.host), which minions
 * starts with the profile's minions.trustProxy (libs/runtime boot), the same
 * rule as ticket's: X-Forwarded-For/-Proto/-Host are believed only when the
 * direct peer is one of the listed proxies; from any other peer they are
 * ignored and the connection tells. Nothing here reads those headers itself.
 */

/**
 * The client's address. Under trustProxy Fastify (proxy-addr) walks
 * X-Forwarded-For from the right past the listed proxies and takes the first
 * hop that is not one, even a hop that is no address at all (what a client in
 * a listed range can write): then, as spear does, the proxy that passed it on
 * is the last hop believed. Always an IP address, or '' for a peer already gone.
 */
export function clientAddress(request: FastifyRequest): string {
  const ip = request.ip as string | undefined;
  if (ip && isIP(ip) !== 0) return ip;
  // ips: the peer, then each hop believed; every one before the last was a listed proxy, so an address.
  const hops = request.ips ?? [];
  return hops.length >= 2 ? hops[hops.length - 2]! : '';
}

/** Whether the browser reached the dashboard over HTTPS (X-Forwarded-Proto from a listed proxy, else the connection). */
export function cameOverHttps(request: FastifyRequest): boolean {
  const protocol = request.protocol as string | undefined;
  return protocol?.toLowerCase() === 'https';
}

/** The origin the browser asked for: `<scheme>://<host[:port]>`, lower case (undefined without a host). */
export function ownOrigin(request: FastifyRequest): string | undefined {
  const host = request.host;
  return host ? `${cameOverHttps(request) ? 'https' : 'http'}://${host}`.toLowerCase() : undefined;
}
