import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runService, type RunningService } from '@spear/runtime';
import { freePort, makeTempDir, removeTempDir, startZooKeeper, type ZooKeeperHandle } from '@spear/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDGEN_SERVICE } from './idgen.service';

// ARCHITECTURE.md: idgen talks to ZooKeeper only. This boots the real service in
// this process from a profile with no Redis at all: it must start, and its
// /healthz must be 200 without a redis check, so a Redis outage cannot fail it.
describe('idgen without Redis (real ZooKeeper)', () => {
  let dir: string;
  let zk: ZooKeeperHandle;
  let idgen: RunningService<'idgen'>;

  beforeAll(async () => {
    dir = makeTempDir('spear-idgen-no-redis-');
    zk = await startZooKeeper({ dir: join(dir, 'zookeeper') });
    const local = JSON.parse(readFileSync(resolve(__dirname, '../../../profiles/local/profile.json'), 'utf8')) as Record<string, unknown>;
    const { redis: _redis, ...withoutRedis } = local;
    const profile = {
      ...withoutRedis,
      zookeeper: { connect: zk.connectString, root: '/spear-test/idgen-no-redis' },
      idgen: { http: { host: '127.0.0.1', port: await freePort() }, rpc: { host: '127.0.0.1', port: await freePort() } },
    };
    mkdirSync(join(dir, 'profile'));
    writeFileSync(join(dir, 'profile', 'profile.json'), JSON.stringify(profile));
    Object.assign(process.env, { SPEAR_PROFILE: join(dir, 'profile'), SPEAR_LOG_LEVEL: process.env.SPEAR_LOG_LEVEL ?? 'warn' });
    idgen = await runService(IDGEN_SERVICE);
  }, 120_000);

  afterAll(async () => {
    await idgen?.stop('test over');
    await zk?.stop();
    if (dir) removeTempDir(dir);
  }, 60_000);

  it('boots, and /healthz checks ZooKeeper, the registration and the worker lease, not Redis', async () => {
    expect('redis' in idgen.ctx).toBe(false);
    const res = await fetch(`http://${idgen.address.host}:${idgen.address.port}/healthz`);
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(Object.keys(body.checks).sort()).toEqual(['registration', 'worker-lease', 'zookeeper']);
  });
});
