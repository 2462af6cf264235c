import { createSecretKey, hash, type KeyObject } from 'node:crypto';

/** A signing key and its short id (so a verifier picks the key without trying each). */
export interface TicketKey {
  id: string;
  /** The secret, imported once as a key object: HMACs with it skip re-importing a string every time. */
  key: KeyObject;
  /** Epoch ms after which this key no longer verifies (the end of a rotation window); absent: no end. */
  notAfter?: number;
}

/** A secret that names its key id: `<id>:<secret>` (what `npm run secrets` prints). */
const WITH_ID = /^([A-Za-z0-9_-]{6,16}):(.+)$/;

/**
 * The key of a ticket secret. Production secrets name a random id
 * (`<id>:<secret>`): a ticket shows its key id to anyone, and an id derived
 * from the secret would let anyone holding a known secret recognise a
 * deployment running on it. A bare secret (development profiles) gets an id
 * derived from it.
 */
export function keyOf(secret: string, notAfter?: number): TicketKey {
  const named = WITH_ID.exec(secret);
  const [id, material] = named ? [named[1]!, named[2]!] : [hash('sha256', secret, 'base64url').slice(0, 8), secret];
  return { id, key: createSecretKey(Buffer.from(material, 'utf8')), notAfter };
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
