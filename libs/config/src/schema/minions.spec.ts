import { describe, expect, it } from 'vitest';
import { minionsSchema } from './minions';

const http = { host: '127.0.0.1', port: 40000 };

describe('minions.trustProxy: the proxies in front of the dashboard, as for ticket and spear', () => {
  it('defaults to false (X-Forwarded-* never read) and takes addresses, CIDRs and named sets', () => {
    expect(minionsSchema.parse({ http }).trustProxy).toBe(false);
    expect(minionsSchema.parse({ http, trustProxy: false }).trustProxy).toBe(false);
    expect(minionsSchema.parse({ http, trustProxy: ['10.0.0.5', 'fd00::/8', 'loopback'] }).trustProxy).toEqual(['10.0.0.5', 'fd00::/8', '127.0.0.0/8', '::1/128']);
  });

  it('refuses true and hop counts (they would believe the headers from any peer), names and an empty list', () => {
    for (const trustProxy of [true, 1, 'loopback']) {
      const result = minionsSchema.safeParse({ http, trustProxy });
      expect(result.success, JSON.stringify(trustProxy)).toBe(false);
      expect(result.error!.issues[0]).toMatchObject({ path: ['trustProxy'], message: expect.stringMatching(/true and hop counts are refused/) });
    }
    for (const trustProxy of [['nginx.internal'], ['10.0.0.0/33'], []]) {
      const result = minionsSchema.safeParse({ http, trustProxy });
      expect(result.success, JSON.stringify(trustProxy)).toBe(false);
      expect(result.error!.issues[0]!.path[0]).toBe('trustProxy');
    }
  });
});
