import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { MonitoringFileError } from './query';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The static targets of each job of a Prometheus config (job name -> host:port list, sorted); file_sd and others are not read. */
export function readStaticTargets(path: string): Map<string, string[]> {
  const file = basename(path);
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  if (!isRecord(doc) || !Array.isArray(doc.scrape_configs)) throw new MonitoringFileError(`${file}: expected a "scrape_configs" list`);
  const jobs = new Map<string, string[]>();
  for (const config of doc.scrape_configs) {
    if (!isRecord(config) || typeof config.job_name !== 'string') throw new MonitoringFileError(`${file}: a scrape config has no job_name`);
    const statics = Array.isArray(config.static_configs) ? config.static_configs.filter(isRecord) : [];
    const targets = statics.flatMap((s) => (Array.isArray(s.targets) ? s.targets.map(String) : []));
    jobs.set(config.job_name, targets.sort());
  }
  return jobs;
}
