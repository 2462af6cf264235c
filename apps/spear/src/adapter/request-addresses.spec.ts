import { describe, expect, it, vi } from 'vitest';
import { ProxyTrust } from './client-address';
import { RequestAddresses } from './request-addresses';

describe('RequestAddresses: one request, one X-Forwarded-For walk', () => {
  it('works a request out once and answers every later ask with the same address', () => {
    const trust = new ProxyTrust(['10.0.0.0/8']);
    const walk = vi.spyOn(trust, 'clientAddress');
    const addresses = new RequestAddresses(trust);
    const request = { headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.7' } };
    // The three readers of a handshake: allowRequest, the new connection, the connect hook.
    const answers = [addresses.of(request, '10.1.2.3'), addresses.of(request, '10.1.2.3'), addresses.of(request, '10.1.2.3')];
    expect(answers).toEqual(['198.51.100.7', '198.51.100.7', '198.51.100.7']);
    expect(walk).toHaveBeenCalledTimes(1);
    // The same answer the walk itself gives.
    expect(answers[0]).toBe(new ProxyTrust(['10.0.0.0/8']).clientAddress('10.1.2.3', '6.6.6.6, 198.51.100.7'));
  });

  it('keeps requests apart: another request object is worked out on its own, even with the same headers', () => {
    const trust = new ProxyTrust(['10.0.0.0/8']);
    const walk = vi.spyOn(trust, 'clientAddress');
    const addresses = new RequestAddresses(trust);
    const headers = { 'x-forwarded-for': '198.51.100.7' };
    expect(addresses.of({ headers }, '10.1.2.3')).toBe('198.51.100.7');
    // Same header, but an untrusted peer: its own answer, not the first request's.
    expect(addresses.of({ headers }, '203.0.113.9')).toBe('203.0.113.9');
    expect(walk).toHaveBeenCalledTimes(2);
  });

  it('does not remember an unknown peer, so a later ask that knows it gets the real address', () => {
    const trust = new ProxyTrust(false);
    const addresses = new RequestAddresses(trust);
    const request = { headers: {} };
    expect(addresses.of(request, undefined)).toBe('');
    expect(addresses.of(request, '203.0.113.9')).toBe('203.0.113.9');
    expect(addresses.of(request, undefined)).toBe('203.0.113.9');
  });
});
