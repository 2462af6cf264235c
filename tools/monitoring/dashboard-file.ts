import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { MonitoringFileError, type Query } from './query';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A Grafana variable query's PromQL, if it has one: label_values(<selector>, <label>) and query_result(<expr>) do. */
function variableQuery(text: string): string | undefined {
  const labelValues = /^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/s.exec(text);
  if (labelValues) return labelValues[1]!;
  const queryResult = /^\s*query_result\((.*)\)\s*$/s.exec(text);
  if (queryResult) return queryResult[1]!;
  // label_values(<label>), label_names() and metrics(<regex>) read no particular metric.
  if (/^\s*(label_values|label_names|metrics)\([^,()]*\)\s*$/.test(text)) return undefined;
  throw new MonitoringFileError(`not a Grafana Prometheus variable query this check can read: ${text}`);
}

/**
 * Reads every PromQL expression of a Grafana dashboard: panel targets (rows'
 * nested panels included), query variables and annotation queries. The
 * dashboard must be usable as it stands: a title and uid, unique panel ids,
 * every panel but a row with a datasource and at least one query. All
 * problems are reported together.
 */
export function readDashboardQueries(path: string): Query[] {
  const file = basename(path);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MonitoringFileError(`${file}: not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(doc)) throw new MonitoringFileError(`${file}: expected a JSON object`);
  const problems: string[] = [];
  const queries: Query[] = [];
  if (typeof doc.title !== 'string' || doc.title === '') problems.push('no title');
  if (typeof doc.uid !== 'string' || doc.uid === '') problems.push('no uid (provisioning and links need a stable one)');
  const ids = new Set<unknown>();
  const visit = (panels: unknown, where: string) => {
    if (!Array.isArray(panels)) return problems.push(`${where}: "panels" is not a list`);
    for (const panel of panels) {
      if (!isRecord(panel)) {
        problems.push(`${where}: a panel is not an object`);
        continue;
      }
      const name = `panel ${JSON.stringify(panel.title ?? panel.id)}`;
      if (ids.has(panel.id)) problems.push(`${name}: id ${String(panel.id)} is used twice`);
      ids.add(panel.id);
      if (panel.type === 'row') {
        if (panel.panels !== undefined) visit(panel.panels, name);
        continue;
      }
      const targets = Array.isArray(panel.targets) ? panel.targets.filter(isRecord) : [];
      if (targets.length === 0) problems.push(`${name}: no queries`);
      if (!isRecord(panel.datasource) && (targets.length === 0 || !targets.every((t) => isRecord(t.datasource)))) problems.push(`${name}: no datasource`);
      for (const target of targets) {
        if (typeof target.expr !== 'string' || target.expr.trim() === '') problems.push(`${name} (${String(target.refId)}): no expr`);
        else queries.push({ where: `${file}: ${name} (${String(target.refId)})`, expr: target.expr });
      }
    }
  };
  visit(doc.panels, 'dashboard');
  const templating = isRecord(doc.templating) && Array.isArray(doc.templating.list) ? doc.templating.list.filter(isRecord) : [];
  for (const variable of templating.filter((v) => v.type === 'query')) {
    const text = isRecord(variable.query) ? variable.query.query : variable.query;
    if (typeof text !== 'string') {
      problems.push(`variable ${String(variable.name)}: no query`);
      continue;
    }
    try {
      const expr = variableQuery(text);
      if (expr !== undefined) queries.push({ where: `${file}: variable ${String(variable.name)}`, expr });
    } catch (error) {
      problems.push(`variable ${String(variable.name)}: ${(error as Error).message}`);
    }
  }
  const annotations = isRecord(doc.annotations) && Array.isArray(doc.annotations.list) ? doc.annotations.list.filter(isRecord) : [];
  for (const annotation of annotations) {
    if (typeof annotation.expr === 'string' && annotation.expr.trim() !== '') queries.push({ where: `${file}: annotation ${String(annotation.name)}`, expr: annotation.expr });
  }
  if (problems.length > 0) throw new MonitoringFileError(`${file}:\n  ${problems.join('\n  ')}`);
  return queries;
}

/**
 * The expression as Prometheus itself would get it from Grafana, so promtool
 * can check its syntax: interval variables become 5m, any other variable
 * `.*` (they stand in regex matchers: nodeId=~"$node").
 */
export function asPlainPromql(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g, '5m')
    .replace(/\$\{[^}]*\}|\$[a-zA-Z_][a-zA-Z0-9_]*|\[\[[a-zA-Z_][a-zA-Z0-9_:]*\]\]/g, '.*');
}
