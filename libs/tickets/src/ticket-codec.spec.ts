import { describe, expect, it } from 'vitest';
import { ticketKeys } from './keys';
import { signTicket, tokenRef, verifyTicket } from './ticket-codec';

const keys = ticketKeys('current-secret-0123456789');
const now = 1_800_000_000_000;
const claims = { uid: 'alice', nodeId: 'spear-1', expiresAt: now + 30_000 };

describe('tickets', () => {
  it('verifies what it signed, on the right node, before expiry', () => {
    const t = signTicket(keys, claims);
    const r = verifyTicket(keys, t, 'spear-1', now);
    expect(r).toMatchObject({ ok: true, claims: { uid: 'alice', nodeId: 'spear-1', expiresAt: now + 30_000 } });
    if (r.ok) expect(r.claims.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('carries the reference of the opaque token it was issued with (revocation kicks by it), and only a string one', () => {
    const ref = tokenRef('ab'.repeat(32));
    expect(ref).toBe('abababababababab');
    const r = verifyTicket(keys, signTicket(keys, { ...claims, tokenRef: ref }), 'spear-1', now);
    expect(r).toMatchObject({ ok: true, claims: { tokenRef: ref } });
    const plain = verifyTicket(keys, signTicket(keys, claims), 'spear-1', now);
    expect(plain.ok && 'tokenRef' in plain.claims).toBe(false);
  });

  it('gives each ticket its own nonce', () => {
    expect(signTicket(keys, claims).split('.')[2]).not.toBe(signTicket(keys, claims).split('.')[2]);
  });

  it('refuses a forged signature, changed claims, garbage and another secret as invalid_ticket', () => {
    const t = signTicket(keys, claims);
    const [v, k, body, sig] = t.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), u: 'mallory' })).toString('base64url');
    for (const bad of [`${v}.${k}.${forgedBody}.${sig}`, `${v}.${k}.${body}.${sig!.slice(0, -2)}AA`, 'garbage', '', 42, null, `${t}x`, signTicket(ticketKeys('some-other-secret-xyz'), claims)]) {
      expect(verifyTicket(keys, bad, 'spear-1', now)).toMatchObject({ ok: false, code: 'invalid_ticket' });
    }
  });

  it('refuses an expired ticket as expired_ticket and another node as wrong_node', () => {
    const t = signTicket(keys, claims);
    expect(verifyTicket(keys, t, 'spear-1', now + 30_000)).toMatchObject({ ok: false, code: 'expired_ticket' });
    expect(verifyTicket(keys, t, 'spear-2', now)).toMatchObject({ ok: false, code: 'wrong_node' });
  });

  it('accepts the previous key during the rotation window and refuses it after', () => {
    const old = ticketKeys('previous-secret-0123456');
    const t = signTicket(old, claims);
    const rotated = ticketKeys('current-secret-0123456789', 'previous-secret-0123456', now + 10_000);
    expect(verifyTicket(rotated, t, 'spear-1', now).ok).toBe(true);
    expect(verifyTicket(rotated, t, 'spear-1', now + 10_001)).toMatchObject({ ok: false, code: 'invalid_ticket' });
    // Without a previous key the old ticket is unknown.
    expect(verifyTicket(keys, t, 'spear-1', now)).toMatchObject({ ok: false, code: 'invalid_ticket' });
  });

  it('carries the key id a secret names (<id>:<secret>), signs with the secret part only, and verifies with the same key', () => {
    const named = ticketKeys('k7Qz9xW2:a-random-ticket-secret-0123456789');
    const t = signTicket(named, claims);
    expect(t.split('.')[1]).toBe('k7Qz9xW2');
    expect(verifyTicket(named, t, 'spear-1', now).ok).toBe(true);
    // The same secret under another id is another key: a ticket names which one signed it.
    expect(verifyTicket(ticketKeys('other-id:a-random-ticket-secret-0123456789'), t, 'spear-1', now)).toMatchObject({ ok: false, code: 'invalid_ticket' });
    // The id is not derived from the secret: the bare secret's key has another id.
    expect(ticketKeys('a-random-ticket-secret-0123456789').current.id).not.toBe('k7Qz9xW2');
  });
});

describe('ticket nonces', () => {
  it('are 128-bit and distinct across many pool refills', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const r = verifyTicket(keys, signTicket(keys, claims), 'spear-1', now);
      if (!r.ok) throw new Error(r.reason);
      expect(Buffer.from(r.claims.nonce, 'base64url')).toHaveLength(16);
      nonces.add(r.claims.nonce);
    }
    expect(nonces.size).toBe(5_000);
  });
});
