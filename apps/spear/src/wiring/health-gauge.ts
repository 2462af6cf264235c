import { Gauge, type Registry } from 'prom-client';
import type { HealthReport } from '@spear/runtime';

/**
 * Registers `spear_health_check_ok{check}`: 1 while a /healthz check passes,
 * 0 while it fails, one series per check (redis, zookeeper, registration, ...).
 * It is how Prometheus sees an engine down from where it matters, a node that
 * uses it: /healthz answers 503 then, but a scrape of a JSON endpoint tells
 * Prometheus nothing. Each scrape runs the checks afresh (each is bounded by
 * the checks' own timeout), so the value is never older than the scrape.
 */
export function registerHealthGauge(registry: Registry, run: () => Promise<HealthReport>): void {
  new Gauge({
    name: 'spear_health_check_ok',
    help: '1 while the /healthz check passes, 0 while it fails (the engine or registration it probes is down)',
    labelNames: ['check'],
    registers: [registry],
    async collect() {
      const report = await run();
      this.reset();
      for (const [check, outcome] of Object.entries(report.checks)) this.set({ check }, outcome === 'ok' ? 1 : 0);
    },
  });
}
