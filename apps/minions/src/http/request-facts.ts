import type { FastifyRequest } from 'fastify';

/** What an address in X-Forwarded-For may look like (IPv4, IPv6): anything else is not taken. */
const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * Who sent a request and how it reached the dashboard: the client address
 * (login throttling, audit), whether it came over HTTPS (the cookie's Secure
 * flag) and the host it asked for (the dashboard's own origin).
 *
 * With `trustProxy` (minions behind one reverse proxy, such as nginx, that
 * sets the X-Forwarded-* headers) these come from the headers' last values:
 * the ones the nearest proxy wrote, whatever a client put before them.
 * Without it the headers are ignored (anyone can send them) and the
 * connection tells.
 */
export class RequestFacts {
  constructor(private readonly trustProxy: boolean) {}

  /** The client's address. */
  ip(request: FastifyRequest): string {
    const forwarded = this.trustProxy ? lastValue(request.headers['x-forwarded-for']) : undefined;
    return forwarded && ADDRESS.test(forwarded) ? forwarded : request.ip;
  }

  /** Whether the browser reached the dashboard over HTTPS. */
  https(request: FastifyRequest): boolean {
    if (this.trustProxy) {
      const proto = lastValue(request.headers['x-forwarded-proto']);
      if (proto) return proto.toLowerCase() === 'https';
    }
    return request.protocol === 'https';
  }

  /** The origin the browser asked for: `<scheme>://<host[:port]>`, lower case (undefined without a Host). */
  ownOrigin(request: FastifyRequest): string | undefined {
    const host = (this.trustProxy ? lastValue(request.headers['x-forwarded-host']) : undefined) ?? request.headers.host;
    return host ? `${this.https(request) ? 'https' : 'http'}://${host}`.toLowerCase() : undefined;
  }
}

/** The last of a header's comma-separated values, trimmed. */
function lastValue(header: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(header) ? header.join(',') : header;
  const last = joined?.split(',').pop()?.trim();
  return last || undefined;
}
