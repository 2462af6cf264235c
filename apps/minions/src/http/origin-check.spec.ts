import { describe, expect, it } from 'vitest';
import { originRefusal } from './origin-check';

const OWN = 'http://127.0.0.1:40000';

describe('originRefusal', () => {
  it('lets reads through whatever they carry', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) expect(originRefusal({ method, origin: 'https://evil.example' }, OWN)).toBeUndefined();
  });

  it("takes a state-changing request from the dashboard's own origin, by Origin or else Referer", () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(originRefusal({ method, origin: OWN }, OWN)).toBeUndefined();
    expect(originRefusal({ method: 'POST', origin: 'HTTP://127.0.0.1:40000' }, OWN)).toBeUndefined();
    expect(originRefusal({ method: 'POST', referer: `${OWN}/some/page?x=1` }, OWN)).toBeUndefined();
  });

  it('refuses any other origin as cross_origin: another host, port or scheme, null, or a bad Referer', () => {
    for (const origin of ['https://evil.example', 'http://127.0.0.1:40001', 'https://127.0.0.1:40000', 'null', '']) {
      expect(originRefusal({ method: 'POST', origin }, OWN)?.code, origin).toBe('cross_origin');
    }
    // Origin wins over a Referer that would pass.
    expect(originRefusal({ method: 'POST', origin: 'https://evil.example', referer: `${OWN}/` }, OWN)?.code).toBe('cross_origin');
    for (const referer of ['https://evil.example/x', 'not a url', 'file:///etc/passwd', `${OWN}.evil.example/`]) {
      expect(originRefusal({ method: 'DELETE', referer }, OWN)?.code, referer).toBe('cross_origin');
    }
    expect(originRefusal({ method: 'POST', origin: 'https://evil.example' }, OWN)?.message).toBe(`Origin "https://evil.example" is not this dashboard's (${OWN}): refused`);
  });

  it('refuses a state-changing request that names no origin at all, saying what to send', () => {
    const refusal = originRefusal({ method: 'POST' }, OWN);
    expect(refusal?.code).toBe('origin_required');
    expect(refusal?.message).toContain(`Origin: ${OWN}`);
  });

  it('refuses everything state-changing when its own origin is unknown (no Host)', () => {
    expect(originRefusal({ method: 'POST', origin: OWN }, undefined)?.code).toBe('cross_origin');
    expect(originRefusal({ method: 'GET' }, undefined)).toBeUndefined();
  });
});
