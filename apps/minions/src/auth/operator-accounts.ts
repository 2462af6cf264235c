import { randomBytes } from 'node:crypto';
import { parseOperatorHash, verifyOperatorPassword, type OperatorAccount, type OperatorHash } from '@spear/config';
import { apiError } from '@spear/runtime';

/**
 * scrypt runs at once at most (each takes a libuv thread and N·r·128 bytes):
 * a burst of logins from many addresses waits its turn as 429, instead of
 * taking the server's memory and threads.
 */
const MAX_VERIFYING = 4;

/** Why a login was refused, for the audit log only (the client is told the same thing in both cases). */
export type LoginVerdict = { ok: true; operator: string } | { ok: false; reason: 'no such operator' | 'wrong password' };

/**
 * The profile's operator accounts (minions.operators or
 * SPEAR_MINIONS_OPERATORS), hashes parsed once. A name that is not an
 * account still costs one scrypt run, so the answer's timing does not tell
 * which names exist.
 */
export class OperatorAccounts {
  private readonly hashes = new Map<string, OperatorHash>();
  /** Stands in for an unknown name: same parameters as the first account, so the same cost. */
  private readonly decoy: OperatorHash;
  private verifying = 0;

  /** @throws Error when `accounts` is empty: the dashboard can act as any user, it never runs open. */
  constructor(accounts: readonly OperatorAccount[]) {
    if (accounts.length === 0) throw new Error('minions needs at least one operator: minions.operators in the profile, or SPEAR_MINIONS_OPERATORS=name:hash (npm run minions:hash-password makes a hash)');
    for (const { name, passwordHash } of accounts) this.hashes.set(name, parseOperatorHash(passwordHash));
    const first = this.hashes.values().next().value!;
    this.decoy = { params: first.params, salt: randomBytes(first.salt.length), hash: randomBytes(first.hash.length) };
  }

  /** Whether `name` is an account now (a session of a removed operator stops working). */
  has(name: string): boolean {
    return this.hashes.has(name);
  }

  /** Checks a name and password; 429 rate_limited when MAX_VERIFYING checks are already running. */
  async verify(name: string, password: string): Promise<LoginVerdict> {
    if (this.verifying >= MAX_VERIFYING) throw apiError('rate_limited', 'too many logins at once; try again in a moment');
    this.verifying++;
    try {
      const stored = this.hashes.get(name);
      const match = await verifyOperatorPassword(password, stored ?? this.decoy);
      if (!stored) return { ok: false, reason: 'no such operator' };
      return match ? { ok: true, operator: name } : { ok: false, reason: 'wrong password' };
    } finally {
      this.verifying--;
    }
  }
}
