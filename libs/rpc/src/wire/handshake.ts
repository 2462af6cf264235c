import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The mutual challenge every RPC connection passes before its first call
 * (spear-rpc/2). Both ends prove they hold the cluster secret without sending
 * it, each over a nonce the other just chose, so neither proof can be replayed
 * on another connection:
 *
 *   client → server  {hi: nc, v: 2}
 *   server → client  {hi: ns, m: HMAC(k, "server" nc ns)}   the client checks it
 *   client → server  {m: HMAC(k, "client" ns nc)}            the server checks it
 *
 * The client pipelines its first calls right behind its proof, so a new
 * connection costs one round trip more, and a call none. k is derived from
 * the secret, never the secret itself, so it is used for this and nothing else.
 *
 * Why not mutual TLS: the RPC plane lives on a private network between our own
 * processes; what the 2026-12-03 review found is that *anyone* who reaches a
 * port is served. A shared secret closes that with no CA to run, rotate or
 * distribute to every backend, and no per-byte cost on the call path. It does
 * not hide or protect frames from someone already on the path between two
 * nodes (docs/SECURITY.md says when to add a TLS tunnel).
 */
export const HANDSHAKE_VERSION = 2;
/** Frames before a peer is authenticated are handshake frames: tiny. */
export const HANDSHAKE_MAX_FRAME_BYTES = 512;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 3000;
const NONCE_BYTES = 16;

/** The cluster secret as this protocol uses it. */
export class HandshakeKey {
  private readonly key: Buffer;

  constructor(clusterSecret: string) {
    if (clusterSecret.length < 16) throw new Error('the RPC cluster secret must be at least 16 characters');
    this.key = createHmac('sha256', clusterSecret).update('spear-rpc/2 handshake').digest();
  }

  /** The proof `role` sends: over the peer's nonce, then its own; the role's name keeps one side's proof from fitting the other. */
  proof(role: 'client' | 'server', mine: Buffer, theirs: Buffer): string {
    return createHmac('sha256', this.key).update(role).update(theirs).update(mine).digest('base64');
  }

  verify(role: 'client' | 'server', proof: unknown, mine: Buffer, theirs: Buffer): boolean {
    if (typeof proof !== 'string' || proof.length > 64) return false;
    const expected = Buffer.from(this.proof(role, theirs, mine), 'base64');
    const got = Buffer.from(proof, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  }
}

export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/** A nonce as it travels (base64 of 16 bytes), or undefined when the value is not one. */
export function parseNonce(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || value.length > 32) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === NONCE_BYTES ? bytes : undefined;
}

/** The frames of the handshake. */
export interface ClientHello {
  hi: string;
  v: number;
}
export interface ServerProof {
  hi: string;
  m: string;
}
export interface ClientProof {
  m: string;
}
/** What a server sends a peer it refuses before closing (no call id: it concerns the connection). */
export interface HandshakeRefusal {
  e: { code: 'unauthenticated'; message: string };
}

export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}
