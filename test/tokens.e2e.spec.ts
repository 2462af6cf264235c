import { adminHeaders, DEV_ADMIN_KEY } from '@spear/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysEverywhere, openRedis } from './support/bed-engines';
import { startTestBed, type TestBed } from './support/engines-and-cluster';

const ADMIN = adminHeaders();

describe('ticket tokens (POST/DELETE /v1/tokens) on a real cluster', () => {
  let bed: TestBed;
  let post: (body: unknown, headers?: Record<string, string>) => Promise<Response>;

  beforeAll(async () => {
    bed = await startTestBed({ spearNodes: 1 });
    post = (body, headers = ADMIN) =>
      fetch(`${bed.cluster.ticketUrl}/v1/tokens`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('issues an opaque token bound to the uid, stored only as its hash', async () => {
    const before = Date.now();
    const res = await post({ uid: 'alice', ttlSeconds: 120 });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; uid: string; expiresAt: number };
    expect(body.uid).toBe('alice');
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.expiresAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(body.expiresAt).toBeLessThan(Date.now() + 121_000);
    const redis = openRedis(bed);
    try {
      const keys = await keysEverywhere(redis, '*');
      expect(keys.some((k) => k.includes(body.token))).toBe(false);
      // The token (by its digest), the uid's token index (for DELETE /v1/users/{uid}/tokens), the known mark.
      const token = keys.filter((k) => /:token:[0-9a-f]{64}$/.test(k));
      expect(token).toHaveLength(1);
      expect(await redis.pttl(token[0]!)).toBeGreaterThan(110_000);
      expect(keys).toHaveLength(3);
      expect(keys).toEqual(expect.arrayContaining([token[0]!, expect.stringMatching(/:known:\{alice\}$/), expect.stringMatching(/:tokens:\{alice\}$/)]));
      const index = keys.find((k) => k.endsWith(':tokens:{alice}'))!;
      expect(await redis.smembers(index)).toEqual([token[0]!.slice(-64)]);
    } finally {
      redis.disconnect();
    }
  });

  it('refuses a wrong or missing admin key with 401 unauthorized', async () => {
    const wrong: Array<Record<string, string>> = [{ 'content-type': 'application/json' }, adminHeaders('nope'), { ...ADMIN, authorization: DEV_ADMIN_KEY }];
    for (const headers of wrong) {
      const res = await post({ uid: 'alice' }, headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });

  it('refuses bad bodies with 400 bad_request', async () => {
    for (const body of [{}, { uid: '' }, { uid: 'a b' }, { uid: 'x'.repeat(129) }, { uid: 'a', ttlSeconds: -1 }, { uid: 'a', ttlSeconds: 'soon' }, '{not json', '[]']) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
  });

  it('revokes a token once (204), then 404 not_found', async () => {
    const { token } = (await (await post({ uid: 'bob' })).json()) as { token: string };
    const del = () => fetch(`${bed.cluster.ticketUrl}/v1/tokens/${token}`, { method: 'DELETE', headers: { authorization: ADMIN.authorization } });
    expect((await del()).status).toBe(204);
    const again = await del();
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
