/**
 * Checks deploy/monitoring (issue #20, "operating it at scale"), run by scripts/test.sh:
 *   tsx tools/monitoring/main.ts [check]        promtool check config / check rules / test rules, the
 *                                               dashboard's queries through promtool, every query's metric
 *                                               names readable, prometheus.yml's targets = profile local's
 *   tsx tools/monitoring/main.ts names          the metric names the rules and dashboard read, as JSON
 *                                               (name -> where); test/monitoring.e2e.spec.ts checks each
 *                                               against a running cluster's /metrics
 *   tsx tools/monitoring/main.ts targets [--profile <name>]
 *                                               a profile's scrape targets as Prometheus file_sd JSON
 * Option --dir=<folder> reads the monitoring files from another folder (default deploy/monitoring).
 * Exit: 0 ok, 1 a check failed, 2 bad usage or an unreadable file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { asPlainPromql } from './dashboard-file';
import { fileSdGroups, profileTargets, targetDifferences } from './profile-targets';
import { promtool, type PromtoolResult } from './promtool';
import { MonitoringFileError } from './query';
import { readStaticTargets } from './scrape-config';
import { MONITORING_FILES, usedMetrics } from './used-metrics';

const USAGE = 'usage: monitoring [check | names | targets [--profile <name>]] [--dir=<folder>]';
const WORKSPACE_ROOT = resolve(__dirname, '../..');
/** The profile prometheus.yml's static targets are written for. */
const CONFIG_PROFILE = 'local';

class UsageError extends Error {}

function parseArgs(argv: string[]): { command: string; dir: string; profile?: string } {
  const [command = 'check', ...rest] = argv;
  if (!['check', 'names', 'targets'].includes(command)) throw new UsageError(`unknown command ${command}`);
  let dir = join(WORKSPACE_ROOT, 'deploy/monitoring');
  let profile: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg.startsWith('--dir=')) dir = resolve(arg.slice('--dir='.length));
    else if (arg === '--profile' && command === 'targets' && rest[i + 1]) profile = rest[++i];
    else if (arg.startsWith('--profile=') && command === 'targets') profile = arg.slice('--profile='.length);
    else throw new UsageError(`unknown argument ${arg}`);
  }
  return { command, dir, profile };
}

/** Puts every dashboard query through promtool as a recording rule: Prometheus's own parser says whether each is PromQL. */
function checkDashboardSyntax(dir: string): PromtoolResult {
  const { queries } = usedMetrics(dir);
  const tmp = mkdtempSync(join(tmpdir(), 'spear-monitoring-'));
  try {
    const rules = queries.dashboard.map((q, i) => ({ record: `dashboard_query_${i + 1}`, expr: asPlainPromql(q.expr) }));
    // JSON is YAML: promtool reads this file as it reads alerts.yml.
    writeFileSync(join(tmp, 'dashboard-queries.yml'), JSON.stringify({ groups: [{ name: 'dashboard', rules }] }, null, 2));
    const result = promtool(['check', 'rules', 'dashboard-queries.yml'], tmp);
    const failing = /dashboard_query_(\d+)/.exec(result.output);
    const where = failing ? ` (${queries.dashboard[Number(failing[1]) - 1]!.where})` : '';
    return { ...result, command: `${MONITORING_FILES.dashboard} queries through ${result.command}${where}` };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function check(dir: string): number {
  const results: PromtoolResult[] = [
    promtool(['check', 'config', MONITORING_FILES.config], dir),
    promtool(['check', 'rules', MONITORING_FILES.rules], dir),
    promtool(['test', 'rules', MONITORING_FILES.ruleTests], dir),
    checkDashboardSyntax(dir),
  ];
  const { exported } = usedMetrics(dir);
  const differences = targetDifferences(readStaticTargets(join(dir, MONITORING_FILES.config)), profileTargets({ profile: CONFIG_PROFILE, cwd: WORKSPACE_ROOT, env: {} }).targets);
  results.push({
    ok: differences.length === 0,
    command: `${MONITORING_FILES.config} targets against profile ${CONFIG_PROFILE}`,
    output: differences.length === 0 ? 'every job scrapes exactly the profile\'s listeners' : differences.join('\n'),
  });
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.command}${r.ok ? '' : `\n${r.output.replace(/^/gm, '     ')}`}`);
  console.log(`     ${exported.size} metric names read by the rules and the dashboard (each proven exported by test/monitoring.e2e.spec.ts)`);
  return results.every((r) => r.ok) ? 0 : 1;
}

function main(argv: string[]): number {
  const { command, dir, profile } = parseArgs(argv);
  if (command === 'names') {
    console.log(JSON.stringify(Object.fromEntries(usedMetrics(dir).exported), null, 2));
    return 0;
  }
  if (command === 'targets') {
    // The environment's overrides apply, as they would to the services started from this profile.
    const { targets } = profileTargets({ profile: profile ?? CONFIG_PROFILE, cwd: WORKSPACE_ROOT });
    console.log(JSON.stringify(fileSdGroups(targets), null, 2));
    return 0;
  }
  return check(dir);
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  const known = error instanceof UsageError || error instanceof MonitoringFileError || (error as Error).name === 'ConfigError';
  console.error(`monitoring: ${error instanceof UsageError ? `${error.message}\n${USAGE}` : known ? (error as Error).message : (error as Error).stack}`);
  process.exitCode = 2;
}
