import { describe, expect, it } from 'vitest';
import { readCookie, SessionCookies } from './session-cookie';

describe('SessionCookies', () => {
  it('accepts what it issued until it expires, and nothing forged', () => {
    const cookies = new SessionCookies('a-secret-of-some-length');
    const now = 1_800_000_000_000;
    const { value } = cookies.issue(now);
    expect(cookies.valid(value, now + 1000)).toBe(true);
    expect(cookies.valid(value, now + 13 * 3600_000)).toBe(false);
    const [expires, sig] = value.split('.');
    expect(cookies.valid(`${Number(expires) + 1}.${sig}`, now)).toBe(false);
    expect(cookies.valid(new SessionCookies('another-secret-entirely').issue(now).value, now)).toBe(false);
    for (const bad of [undefined, '', 'x', '1.2.3', '.abc']) expect(cookies.valid(bad, now)).toBe(false);
  });

  it('reads one cookie out of a header', () => {
    expect(readCookie('a=1; minions_session=abc.def; b=2', 'minions_session')).toBe('abc.def');
    expect(readCookie(undefined, 'minions_session')).toBeUndefined();
    expect(readCookie('minions_sessionX=1', 'minions_session')).toBeUndefined();
  });
});
