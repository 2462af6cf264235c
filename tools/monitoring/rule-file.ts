import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { MonitoringFileError, type Query } from './query';

/** What a Prometheus rule file holds: the expressions, and the series its recording rules make (they need no exporter). */
export interface RuleFileQueries {
  queries: Query[];
  recorded: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads every rule's `expr` from a Prometheus rule file (`groups[].rules[]`).
 * promtool checks the file's full syntax; this only insists on what the
 * metric check needs, so a rule without a string `expr` is an error here too.
 */
export function readRuleQueries(path: string): RuleFileQueries {
  const file = basename(path);
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  if (!isRecord(doc) || !Array.isArray(doc.groups)) throw new MonitoringFileError(`${file}: expected a top-level "groups" list`);
  const queries: Query[] = [];
  const recorded: string[] = [];
  doc.groups.forEach((group: unknown, g) => {
    if (!isRecord(group) || !Array.isArray(group.rules)) throw new MonitoringFileError(`${file}: group ${g + 1} has no "rules" list`);
    group.rules.forEach((rule: unknown, r) => {
      const name = isRecord(rule) ? (rule.alert ?? rule.record) : undefined;
      if (!isRecord(rule) || typeof name !== 'string') throw new MonitoringFileError(`${file}: rule ${r + 1} of group ${String(group.name ?? g + 1)} has neither "alert" nor "record"`);
      if (typeof rule.expr !== 'string' || rule.expr.trim() === '') throw new MonitoringFileError(`${file}: rule ${name} has no "expr"`);
      if (typeof rule.record === 'string') recorded.push(rule.record);
      queries.push({ where: `${file}: ${typeof rule.alert === 'string' ? 'alert' : 'record'} ${name}`, expr: rule.expr });
    });
  });
  return { queries, recorded };
}
