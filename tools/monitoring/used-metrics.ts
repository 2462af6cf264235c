import { join } from 'node:path';
import { readDashboardQueries } from './dashboard-file';
import { metricNamesIn } from './promql-metric-names';
import { MonitoringFileError, type Query } from './query';
import { readRuleQueries } from './rule-file';

/** The files of deploy/monitoring this check reads. */
export const MONITORING_FILES = { config: 'prometheus.yml', rules: 'alerts.yml', ruleTests: 'alerts.test.yml', dashboard: 'grafana-dashboard.json' } as const;

/**
 * Series Prometheus makes itself rather than scraping them: `up` and the
 * scrape_* series per target, ALERTS from the rules. No service exports them.
 */
export const PROMETHEUS_OWN_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added', 'ALERTS', 'ALERTS_FOR_STATE'];

/** Every metric the rules and the dashboard read, with where each is read. */
export interface UsedMetrics {
  /** Name -> places; only names the services must export (not Prometheus's own, not recorded by a rule). */
  exported: Map<string, string[]>;
  /** Every query read, for the syntax check. */
  queries: { rules: Query[]; dashboard: Query[] };
}

/** Reads alerts.yml and grafana-dashboard.json in `dir` and collects the metric names of all their queries. */
export function usedMetrics(dir: string): UsedMetrics {
  const rules = readRuleQueries(join(dir, MONITORING_FILES.rules));
  const dashboard = readDashboardQueries(join(dir, MONITORING_FILES.dashboard));
  const notExported = new Set([...PROMETHEUS_OWN_SERIES, ...rules.recorded]);
  const exported = new Map<string, string[]>();
  for (const query of [...rules.queries, ...dashboard]) {
    let names: string[];
    try {
      names = metricNamesIn(query.expr);
    } catch (error) {
      throw new MonitoringFileError(`${query.where}: ${(error as Error).message}`);
    }
    for (const name of names.filter((n) => !notExported.has(n))) exported.set(name, [...(exported.get(name) ?? []), query.where]);
  }
  return { exported: new Map([...exported].sort(([a], [b]) => a.localeCompare(b))), queries: { rules: rules.queries, dashboard } };
}
