import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  it('refuses an address after 10 failures within a minute, and lets it try again after', () => {
    const t = new LoginThrottle();
    const now = 1_000_000;
    for (let i = 0; i < 10; i++) {
      expect(t.allowed('1.2.3.4', now)).toBe(true);
      t.failed('1.2.3.4', now);
    }
    expect(t.allowed('1.2.3.4', now + 1000)).toBe(false);
    expect(t.allowed('5.6.7.8', now + 1000)).toBe(true);
    expect(t.allowed('1.2.3.4', now + 60_000)).toBe(true);
  });
});
