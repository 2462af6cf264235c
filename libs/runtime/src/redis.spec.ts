import pino from 'pino';
import { validateConfig, type AppConfig } from '@spear/config';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { HealthChecks } from './health';
import { connectRedisIfUsed } from './redis';
import type { ServiceContext } from './service-context';

const logger = pino({ level: 'silent' });
// Nothing listens on port 1: a Redis app's check must fail, and idgen must not notice.
const profile = {
  name: 'test-redis-spec',
  zookeeper: { connect: '127.0.0.1:2181', root: '/spear/redis-spec' },
  redis: { url: 'redis://127.0.0.1:1' },
  secrets: { clusterSecret: 'cluster-secret-0123456789', zookeeperPassword: 'zookeeper-password', adminKey: 'admin-key-0123', ticketSecret: 'ticket-secret-0123456789' },
  ticket: { http: { port: 0 } },
  idgen: { http: { port: 0 }, rpc: { port: 0 } },
};

describe('connectRedisIfUsed', () => {
  it('gives idgen no Redis client and no redis health check (ZooKeeper only)', async () => {
    const health = new HealthChecks();
    const config: AppConfig<'idgen'> = validateConfig('idgen', profile);
    expect(connectRedisIfUsed('idgen', config, logger, health)).toBeUndefined();
    expect(await health.run()).toEqual({ ok: true, checks: {}, failing: [] });
  });

  it('gives an app that uses Redis a client whose check reports Redis down', async () => {
    const health = new HealthChecks(500);
    const redis = connectRedisIfUsed('ticket', validateConfig('ticket', profile), logger, health)!;
    try {
      const report = await health.run();
      expect(report.failing).toEqual(['redis']);
    } finally {
      redis.disconnect();
    }
  });
});

describe('ServiceContext', () => {
  it('has redis for the apps that use it and none for idgen (checked by the typecheck)', () => {
    expectTypeOf<ServiceContext<'ticket'>>().toHaveProperty('redis');
    expectTypeOf<ServiceContext<'stat'>>().toHaveProperty('redis');
    expectTypeOf<ServiceContext<'idgen'>>().not.toHaveProperty('redis');
    expectTypeOf<AppConfig<'idgen'>['redis']>().toEqualTypeOf<undefined>();
  });
});
