import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyTrust } from './client-address';

/** The part of an HTTP request (engine.io's handshake request) an address is worked out from; its identity is the cache key. */
export type AddressedRequest = { readonly headers: IncomingHttpHeaders };

/**
 * The client address of each handshake request, worked out once.
 *
 * engine.io hands one request object to allowRequest, keeps it as the new
 * connection's `conn.request`, and the connect hook reaches it again through
 * `socket.conn`: all three ask here, so X-Forwarded-For is split and walked
 * once per connection and every reader gets the same answer.
 *
 * Guarantee: for a given request object, every call returns what the first
 * call that knew the peer returned (`trust.clientAddress(peer, XFF)`). An
 * unknown peer (a socket already gone: '') is not remembered, so a later
 * call that knows the peer still gets a real address. Entries are held
 * weakly: they go with their request.
 */
export class RequestAddresses {
  private readonly known = new WeakMap<AddressedRequest, string>();

  constructor(private readonly trust: Pick<ProxyTrust, 'clientAddress'>) {}

  /** The client address of `request`, whose direct TCP peer is `peer`. */
  of(request: AddressedRequest, peer: string | undefined): string {
    const known = this.known.get(request);
    if (known !== undefined) return known;
    const address = this.trust.clientAddress(peer, request.headers['x-forwarded-for']);
    if (address !== '') this.known.set(request, address);
    return address;
  }
}
