import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HealthChecks } from '@spear/runtime';
import { registerHealthGauge } from './health-gauge';

describe('registerHealthGauge', () => {
  it('shows each /healthz check as 1 or 0, as it is at the scrape', async () => {
    let redisUp = true;
    const checks = new HealthChecks(200)
      .add('zookeeper', async () => undefined)
      .add('redis', async () => {
        if (!redisUp) throw new Error('not connected (reconnecting)');
      });
    const registry = new Registry();
    registerHealthGauge(registry, () => checks.run());

    const up = await registry.metrics();
    expect(up).toContain('spear_health_check_ok{check="zookeeper"} 1');
    expect(up).toContain('spear_health_check_ok{check="redis"} 1');

    redisUp = false;
    const down = await registry.metrics();
    expect(down).toContain('spear_health_check_ok{check="zookeeper"} 1');
    expect(down).toContain('spear_health_check_ok{check="redis"} 0');
  });
});
