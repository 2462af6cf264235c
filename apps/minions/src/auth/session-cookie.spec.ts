import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, readCookie, sessionCookie } from './session-cookie';

describe('session cookie', () => {
  it('is HttpOnly and SameSite=Strict always, Secure only over HTTPS', () => {
    expect(sessionCookie('abc', 43200, false)).toBe('minions_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200');
    expect(sessionCookie('abc', 43200, true)).toBe('minions_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200; Secure');
    expect(clearedSessionCookie(false)).toBe('minions_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
  });

  it('reads one cookie out of a header', () => {
    expect(readCookie('a=1; minions_session=abc.def; b=2', 'minions_session')).toBe('abc.def');
    expect(readCookie(undefined, 'minions_session')).toBeUndefined();
    expect(readCookie('minions_sessionX=1', 'minions_session')).toBeUndefined();
  });
});
