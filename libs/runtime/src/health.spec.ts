import { describe, expect, it } from 'vitest';
import { HealthChecks } from './health';

describe('HealthChecks', () => {
  it('is ok when every check resolves', async () => {
    const report = await new HealthChecks().add('a', async () => undefined).add('b', async () => undefined).run();
    expect(report).toEqual({ ok: true, checks: { a: 'ok', b: 'ok' }, failing: [] });
  });

  it('names the failing dependency and why', async () => {
    const report = await new HealthChecks()
      .add('zookeeper', async () => undefined)
      .add('redis', async () => {
        throw new Error('not connected (reconnecting)');
      })
      .run();
    expect(report.ok).toBe(false);
    expect(report.failing).toEqual(['redis']);
    expect(report.checks.redis).toBe('not connected (reconnecting)');
  });

  it('bounds a check that never answers', async () => {
    const started = Date.now();
    const report = await new HealthChecks(50).add('slow', () => new Promise(() => undefined)).run();
    expect(report.checks.slow).toBe('no answer within 50 ms');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
