import { describe, expect, it } from 'vitest';
import { PeerLimits } from './peer-limits';

describe('PeerLimits', () => {
  it('caps pending handshakes per peer and in all, and connections per peer; counts each out once', () => {
    const limits = new PeerLimits(3, 4, 2);
    expect(limits.admit('a')).toBeNull();
    expect(limits.admit('a')).toBeNull();
    // a's two handshakes are pending: a third waits for one to finish, another peer does not.
    expect(limits.admit('a')).toMatchObject({ reason: 'pending_limit', message: 'peer a already has 2 handshakes pending' });
    expect(limits.admit('b')).toBeNull();
    expect(limits.admit('c')).toBeNull();
    expect(limits.admit('d')).toMatchObject({ reason: 'pending_limit', message: '4 handshakes already pending' });
    limits.authenticated('a');
    limits.authenticated('a');
    expect(limits.admit('a')).toBeNull();
    // a holds 3 connections (two authenticated, one pending): its cap.
    expect(limits.admit('a')).toMatchObject({ reason: 'peer_limit' });
    limits.release('a', false);
    limits.release('a', true);
    expect(limits.pendingNow).toBe(2);
    expect(limits.admit('a')).toBeNull();
    for (const [peer, pending] of [['a', false], ['a', true], ['b', true], ['c', true]] as const) limits.release(peer, pending);
    expect(limits.pendingNow).toBe(0);
  });
});
