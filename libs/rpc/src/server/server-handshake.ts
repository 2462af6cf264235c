import { field, HANDSHAKE_VERSION, newNonce, parseNonce, type HandshakeKey, type HandshakeRefusal, type ServerProof } from '../wire/handshake';

/** What the server does with one frame of a connection not yet authenticated. */
export type HandshakeStep =
  | { send: ServerProof } // the client said hello: answer with our nonce and proof
  | { authenticated: true } // the client's proof holds: serve its calls from the next frame on
  | { refuse: HandshakeRefusal }; // anything else: tell it why and close

/**
 * The server's side of the spear-rpc/2 challenge (wire/handshake.ts) for one
 * connection. Guarantee: `authenticated` is reached only after a hello and a
 * valid proof over this connection's fresh nonce, in that order; any other
 * frame, including a call, is refused.
 */
export class ServerHandshake {
  private serverNonce?: Buffer;
  private clientNonce?: Buffer;

  constructor(private readonly key: HandshakeKey) {}

  step(frame: unknown): HandshakeStep {
    if (!this.serverNonce) return this.hello(frame);
    if (!this.key.verify('client', field(frame, 'm'), this.serverNonce, this.clientNonce!)) return refuse('wrong cluster secret: the proof does not match');
    return { authenticated: true };
  }

  private hello(frame: unknown): HandshakeStep {
    const clientNonce = parseNonce(field(frame, 'hi'));
    if (!clientNonce) {
      // An older client (spear-rpc/1) or a stranger sends a call first: say what is expected.
      return refuse(`authenticate first: this provider speaks spear-rpc/${HANDSHAKE_VERSION} (a hello with a 16-byte nonce)`);
    }
    if (field(frame, 'v') !== HANDSHAKE_VERSION) return refuse(`unsupported handshake version ${String(field(frame, 'v'))}, expected ${HANDSHAKE_VERSION}`);
    this.clientNonce = clientNonce;
    this.serverNonce = newNonce();
    return { send: { hi: this.serverNonce.toString('base64'), m: this.key.proof('server', this.serverNonce, clientNonce) } };
  }
}

function refuse(message: string): HandshakeStep {
  return { refuse: { e: { code: 'unauthenticated', message } } };
}
