import { describe, expect, it } from 'vitest';
import { hashOperatorPassword } from '@spear/config';
import { OperatorAccounts } from './operator-accounts';

const FAST = { N: 2 ** 14, r: 8, p: 1 };

describe('OperatorAccounts', () => {
  it('lets an operator in with their own password only, and says why not for the audit', async () => {
    const accounts = new OperatorAccounts([
      { name: 'alice', passwordHash: await hashOperatorPassword('alice-pass', FAST) },
      { name: 'bob', passwordHash: await hashOperatorPassword('bob-pass', FAST) },
    ]);
    expect(await accounts.verify('alice', 'alice-pass')).toEqual({ ok: true, operator: 'alice' });
    expect(await accounts.verify('alice', 'bob-pass')).toEqual({ ok: false, reason: 'wrong password' });
    expect(await accounts.verify('carol', 'alice-pass')).toEqual({ ok: false, reason: 'no such operator' });
    expect(accounts.has('bob')).toBe(true);
    expect(accounts.has('carol')).toBe(false);
  });

  it('costs as much for an unknown name as for a known one (the timing does not tell which exist)', async () => {
    const accounts = new OperatorAccounts([{ name: 'alice', passwordHash: await hashOperatorPassword('alice-pass', FAST) }]);
    const time = async (name: string) => {
      const start = performance.now();
      for (let i = 0; i < 3; i++) await accounts.verify(name, 'guess');
      return performance.now() - start;
    };
    const [known, unknown] = [await time('alice'), await time('nobody')];
    // Both run scrypt: neither answer comes back in a fraction of the other's time.
    expect(unknown).toBeGreaterThan(known / 3);
  });

  it('refuses to exist without an operator', () => {
    expect(() => new OperatorAccounts([])).toThrow(/at least one operator.*SPEAR_MINIONS_OPERATORS/);
  });

  it('answers rate_limited past four checks at once instead of queueing scrypt runs', async () => {
    const accounts = new OperatorAccounts([{ name: 'alice', passwordHash: await hashOperatorPassword('alice-pass', FAST) }]);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => accounts.verify('alice', 'x')));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as { getStatus(): number }).getStatus());
    expect(refused).toEqual([429, 429]);
    // Once they finished, checks run again.
    expect(await accounts.verify('alice', 'alice-pass')).toEqual({ ok: true, operator: 'alice' });
  });
});
