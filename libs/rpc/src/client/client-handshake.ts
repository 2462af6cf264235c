import { field, HANDSHAKE_VERSION, newNonce, parseNonce, type ClientHello, type ClientProof, type HandshakeKey } from '../wire/handshake';

/**
 * The client's side of the spear-rpc/2 challenge (wire/handshake.ts) for one
 * connection. Guarantee: `answer` yields a proof only for a server that proved
 * it holds the cluster secret over this connection's fresh nonce; a refusal
 * frame or a wrong proof yields why, and the connection is never used.
 */
export class ClientHandshake {
  private readonly nonce = newNonce();

  constructor(private readonly key: HandshakeKey) {}

  hello(): ClientHello {
    return { hi: this.nonce.toString('base64'), v: HANDSHAKE_VERSION };
  }

  /** The server's first frame: our proof to send, or why the connection failed. */
  answer(frame: unknown): { send: ClientProof } | { failed: string } {
    const error = field(frame, 'e');
    if (error !== undefined) return { failed: `${String(field(error, 'code'))}: ${String(field(error, 'message'))}` };
    const serverNonce = parseNonce(field(frame, 'hi'));
    if (!serverNonce || !this.key.verify('server', field(frame, 'm'), this.nonce, serverNonce)) {
      return { failed: 'unauthenticated: the provider did not prove it holds the cluster secret' };
    }
    return { send: { m: this.key.proof('client', this.nonce, serverNonce) } };
  }
}
