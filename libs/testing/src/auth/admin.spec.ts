import { readRawProfile } from '@spear/config';
import { describe, expect, it } from 'vitest';
import { adminHeaders, DEV_ADMIN_KEY } from './admin';

describe('DEV_ADMIN_KEY', () => {
  it("is the local profile's admin key, which every test cluster inherits", () => {
    // Without SPEAR_* env overrides: those would change the profile, not the file this mirrors.
    const { raw } = readRawProfile({ profile: 'local', env: { SPEAR_PROFILES_DIR: process.env.SPEAR_PROFILES_DIR ?? '' } });
    expect((raw.secrets as { adminKey: string }).adminKey).toBe(DEV_ADMIN_KEY);
    expect(adminHeaders().authorization).toBe(`Bearer ${DEV_ADMIN_KEY}`);
  });
});
