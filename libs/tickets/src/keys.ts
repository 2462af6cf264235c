import { createSecretKey, hash, type KeyObject } from 'node:crypto';

/** A signing key and its short id (so a verifier picks the key without trying each). */
export interface TicketKey {
  id: string;
  /** The secret, imported once as a key object: HMACs with it skip re-importing a string every time. */
  key: KeyObject;
  /** Epoch ms after which this key no longer verifies (the end of a rotation window); absent: no end. */
  notAfter?: number;
}

export function keyOf(secret: string, notAfter?: number): TicketKey {
  return { id: hash('sha256', secret, 'base64url').slice(0, 8), key: createSecretKey(Buffer.from(secret, 'utf8')), notAfter };
}

/**
 * The current key signs; the previous one still verifies during a rotation
 * window, so tickets issued just before a rotation keep working.
 */
export interface TicketKeys {
  current: TicketKey;
  previous?: TicketKey;
}

export function ticketKeys(current: string, previous?: string, previousNotAfter?: number): TicketKeys {
  return { current: keyOf(current), previous: previous ? keyOf(previous, previousNotAfter) : undefined };
}
