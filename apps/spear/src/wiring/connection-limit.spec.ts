import { describe, expect, it } from 'vitest';
import { connectionLimit, openFilesLimit, parseOpenFilesLimit, RESERVED_FDS } from './connection-limit';

const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax processes             95000                95000                processes\nMax open files            ${soft}                20000                files\n`;

describe('connection limit', () => {
  it('reads the soft open-files limit', () => {
    expect(parseOpenFilesLimit(limits('20000'))).toBe(20_000);
    expect(parseOpenFilesLimit(limits('unlimited'))).toBeUndefined();
    expect(parseOpenFilesLimit('')).toBeUndefined();
  });

  it('keeps the configured maximum when the descriptors allow it, lowers it otherwise', () => {
    expect(connectionLimit(5000, 20_000)).toBe(5000);
    expect(connectionLimit(20_000, 20_000)).toBe(20_000 - RESERVED_FDS);
    expect(connectionLimit(20_000, undefined)).toBe(20_000);
    expect(connectionLimit(100, 10)).toBe(1);
  });

  it('reads this process\'s limit on Linux', () => {
    if (process.platform === 'linux') expect(openFilesLimit()).toBeGreaterThan(0);
  });
});
