import { createHash } from 'node:crypto';

/** A signing secret and its short id (so a verifier picks the key without trying each). */
export interface TicketKey {
  id: string;
  secret: string;
  /** Epoch ms after which this key no longer verifies (the end of a rotation window); absent: no end. */
  notAfter?: number;
}

export function keyOf(secret: string, notAfter?: number): TicketKey {
  return { id: createHash('sha256').update(secret).digest('base64url').slice(0, 8), secret, notAfter };
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
