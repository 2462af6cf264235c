import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { RequestFacts } from './request-facts';

const request = (headers: Record<string, string>, protocol: 'http' | 'https' = 'http') => ({ headers, ip: '10.9.8.7', protocol }) as unknown as FastifyRequest;
const proxied = { 'x-forwarded-for': '1.2.3.4, 203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'minions.example.com', host: '127.0.0.1:40000' };

describe('RequestFacts', () => {
  it('without trustProxy, believes the connection and ignores the forwarding headers', () => {
    const facts = new RequestFacts(false);
    expect(facts.ip(request(proxied))).toBe('10.9.8.7');
    expect(facts.https(request(proxied))).toBe(false);
    expect(facts.https(request({}, 'https'))).toBe(true);
    expect(facts.ownOrigin(request(proxied))).toBe('http://127.0.0.1:40000');
    expect(facts.ownOrigin(request({}))).toBeUndefined();
  });

  it("with trustProxy, takes the nearest proxy's values (the last ones), not what the client put first", () => {
    const facts = new RequestFacts(true);
    expect(facts.ip(request(proxied))).toBe('203.0.113.9');
    expect(facts.https(request(proxied))).toBe(true);
    expect(facts.ownOrigin(request(proxied))).toBe('https://minions.example.com');
    // Without the headers, or with an address that is none: the connection's.
    expect(facts.ip(request({ 'x-forwarded-for': 'nonsense<script>' }))).toBe('10.9.8.7');
    expect(facts.ownOrigin(request({ host: 'Dash.Example:8443', 'x-forwarded-proto': 'https' }))).toBe('https://dash.example:8443');
  });
});
