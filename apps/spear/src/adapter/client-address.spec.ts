import { describe, expect, it } from 'vitest';
import { ProxyTrust } from './client-address';

describe('ProxyTrust: the client behind the node\'s trusted proxies', () => {
  it('never reads X-Forwarded-For when no proxy is trusted', () => {
    const none = new ProxyTrust(false);
    expect(none.clientAddress('203.0.113.9', '10.9.9.9')).toBe('203.0.113.9');
    expect(none.trusts('127.0.0.1')).toBe(false);
  });

  it('ignores the header from a peer that is not a trusted proxy (a spoofing client)', () => {
    const trust = new ProxyTrust(['10.0.0.0/8']);
    expect(trust.clientAddress('203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
  });

  it('takes the hop a trusted proxy appended, not what the client claimed before it', () => {
    const trust = new ProxyTrust(['10.0.0.5']);
    // nginx's $proxy_add_x_forwarded_for: the client's own header, then the address nginx saw.
    expect(trust.clientAddress('10.0.0.5', '6.6.6.6, 198.51.100.7')).toBe('198.51.100.7');
    expect(trust.clientAddress('10.0.0.5', undefined)).toBe('10.0.0.5');
  });

  it('walks a chain of trusted proxies (CDN, then nginx) and stops at the first untrusted hop', () => {
    const trust = new ProxyTrust(['10.0.0.0/8', '192.0.2.0/24', '2001:db8::/32']);
    expect(trust.clientAddress('10.1.2.3', '6.6.6.6, 198.51.100.7, 192.0.2.10')).toBe('198.51.100.7');
    // The header repeated: its lines read as one list.
    expect(trust.clientAddress('10.1.2.3', ['6.6.6.6, 198.51.100.7', '192.0.2.10'])).toBe('198.51.100.7');
    // Every hop trusted: the leftmost.
    expect(trust.clientAddress('10.1.2.3', '192.0.2.1, 10.0.0.9')).toBe('192.0.2.1');
    expect(trust.clientAddress('2001:db8::1', '2001:db9::42')).toBe('2001:db9::42');
  });

  it('treats an IPv4-mapped peer as its IPv4 address', () => {
    const trust = new ProxyTrust(['127.0.0.0/8', '::1/128']);
    expect(trust.clientAddress('::ffff:127.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
    expect(trust.clientAddress('::ffff:203.0.113.9', '198.51.100.7')).toBe('203.0.113.9');
    expect(trust.clientAddress('::1', '::ffff:198.51.100.8')).toBe('198.51.100.8');
  });

  it('does not take an entry that is no address as the client: the proxy that passed it on is', () => {
    const trust = new ProxyTrust(['10.0.0.5']);
    expect(trust.clientAddress('10.0.0.5', 'garbage')).toBe('10.0.0.5');
    expect(trust.clientAddress('10.0.0.5', '198.51.100.7, ')).toBe('10.0.0.5');
    expect(trust.clientAddress(undefined, '198.51.100.7')).toBe('');
  });
});
