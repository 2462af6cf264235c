import { readRawProfile, type LoadOptions } from '@spear/config';
import { MonitoringFileError } from './query';

/** The scrape jobs of prometheus.yml, in its order: one per app. */
export const SCRAPE_JOBS = ['ticket', 'spear', 'idgen', 'stat', 'minions'] as const;
export type ScrapeJob = (typeof SCRAPE_JOBS)[number];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function hostPort(value: unknown, field: string, source: string): string {
  if (!isRecord(value) || typeof value.host !== 'string' || !Number.isInteger(value.port) || (value.port as number) < 1 || (value.port as number) > 65535) {
    throw new MonitoringFileError(`profile ${source}: ${field} needs a host and a port from 1 to 65535 to be scraped`);
  }
  return `${value.host}:${String(value.port)}`;
}

/**
 * Where Prometheus scrapes each app of a profile: the HTTP listener of every
 * process (/metrics is served there), sorted per job. The profile is read as
 * the services read it (its `extends` chain and, with options.env, the
 * environment's overrides), not validated: the services do that at boot.
 */
export function profileTargets(options: LoadOptions): { name: string; targets: Map<ScrapeJob, string[]> } {
  const { raw, source } = readRawProfile(options);
  const section = (app: ScrapeJob) => (isRecord(raw[app]) ? raw[app] : {});
  const nodes = section('spear').nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) throw new MonitoringFileError(`profile ${source}: spear.nodes lists no node to scrape`);
  const targets = new Map<ScrapeJob, string[]>([
    ['ticket', [hostPort(section('ticket').http, 'ticket.http', source)]],
    ['spear', nodes.map((node, i) => hostPort(node, `spear.nodes[${i}]`, source)).sort()],
    ['idgen', [hostPort(section('idgen').http, 'idgen.http', source)]],
    ['stat', [hostPort(section('stat').http, 'stat.http', source)]],
    ['minions', [hostPort(section('minions').http, 'minions.http', source)]],
  ]);
  return { name: String(raw.name ?? source), targets };
}

/** How the static targets of a config differ from a profile's: one line per job that differs, none when they agree. */
export function targetDifferences(config: Map<string, string[]>, profile: Map<ScrapeJob, string[]>): string[] {
  const differences: string[] = [];
  for (const [job, expected] of profile) {
    const actual = config.get(job);
    if (!actual) differences.push(`job ${job} is missing (the profile has ${expected.join(', ')})`);
    else if (actual.join(',') !== expected.join(',')) differences.push(`job ${job} scrapes ${actual.join(', ') || 'nothing'}; the profile has ${expected.join(', ')}`);
  }
  for (const job of config.keys()) if (!profile.has(job as ScrapeJob)) differences.push(`job ${job} is not an app of the profile`);
  return differences;
}

/** Prometheus file_sd content for a profile's targets: one group per job, labelled with it (a file_sd job's own name is then overridden). */
export function fileSdGroups(targets: Map<ScrapeJob, string[]>): Array<{ targets: string[]; labels: { job: string } }> {
  return [...targets].map(([job, list]) => ({ targets: list, labels: { job } }));
}
