import { describe, expect, it } from 'vitest';
import { clientBudget, HANDSHAKE_FDS, openFilesLimit, parseOpenFilesLimit, RESERVED_FDS } from './connection-limit';

const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax processes             95000                95000                processes\nMax open files            ${soft}                20000                files\n`;

describe('connection limit', () => {
  it('reads the soft open-files limit', () => {
    expect(parseOpenFilesLimit(limits('20000'))).toBe(20_000);
    expect(parseOpenFilesLimit(limits('unlimited'))).toBeUndefined();
    expect(parseOpenFilesLimit('')).toBeUndefined();
  });

  it('keeps both budgets as configured when the descriptors allow them', () => {
    expect(clientBudget({ connections: 5000, pending: 2000 }, 20_000)).toEqual({ connections: 5000, pending: 2000 });
    expect(clientBudget({ connections: 20_000, pending: 2000 }, 1_048_576)).toEqual({ connections: 20_000, pending: 2000 });
    expect(clientBudget({ connections: 20_000, pending: 2000 }, undefined)).toEqual({ connections: 20_000, pending: 2000 });
  });

  it('when they do not, gives handshakes a twentieth of the descriptors (at least the reserve\'s share) and ticketed users the rest', () => {
    const tight = clientBudget({ connections: 20_000, pending: 2000 }, 20_000);
    expect(tight).toEqual({ connections: 20_000 - RESERVED_FDS + HANDSHAKE_FDS - 1000, pending: 1000 });
    // Everything a client can hold fits beside the node's own descriptors.
    expect(tight.connections + tight.pending).toBeLessThanOrEqual(20_000 - (RESERVED_FDS - HANDSHAKE_FDS));
    // A small limit: handshakes live in the reserve's share, users get what is left as before.
    expect(clientBudget({ connections: 20_000, pending: 2000 }, 400)).toEqual({ connections: 400 - RESERVED_FDS, pending: HANDSHAKE_FDS });
    expect(clientBudget({ connections: 20_000, pending: 50 }, 400)).toEqual({ connections: 400 - RESERVED_FDS + HANDSHAKE_FDS - 50, pending: 50 });
    expect(clientBudget({ connections: 100, pending: 100 }, 10)).toEqual({ connections: 1, pending: 100 });
  });

  it('reads this process\'s limit on Linux', () => {
    if (process.platform === 'linux') expect(openFilesLimit()).toBeGreaterThan(0);
  });
});
