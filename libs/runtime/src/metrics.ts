import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus registry of one service process, with process and HTTP metrics. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;

  constructor(service: string, instance: Record<string, string> = {}) {
    this.registry.setDefaultLabels({ service, ...instance });
    collectDefaultMetrics({ register: this.registry, prefix: 'spear_' });
    this.httpRequests = new Counter({
      name: 'spear_http_requests_total',
      help: 'HTTP requests served, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'spear_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }

  /** Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
