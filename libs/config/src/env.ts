import { operatorsFromEnv } from './schema/minions';

/**
 * Environment variables that override profile values. Secrets belong here,
 * not in profile files of real deployments.
 */
export const ENV_OVERRIDES: ReadonlyArray<{ env: string; path: string[]; parse?: (v: string) => unknown }> = [
  { env: 'SPEAR_CLUSTER_SECRET', path: ['secrets', 'clusterSecret'] },
  { env: 'SPEAR_ZK_PASSWORD', path: ['secrets', 'zookeeperPassword'] },
  { env: 'SPEAR_ADMIN_KEY', path: ['secrets', 'adminKey'] },
  { env: 'SPEAR_STAT_READ_KEY', path: ['secrets', 'statReadKey'] },
  { env: 'SPEAR_TICKET_SECRET', path: ['secrets', 'ticketSecret'] },
  { env: 'SPEAR_TICKET_SECRET_PREVIOUS', path: ['secrets', 'ticketSecretPrevious'] },
  { env: 'SPEAR_TICKET_SECRET_PREVIOUS_UNTIL', path: ['secrets', 'ticketSecretPreviousUntil'], parse: Number },
  { env: 'SPEAR_JWT_SECRET', path: ['secrets', 'jwtSecret'] },
  { env: 'SPEAR_HOOK_SECRET', path: ['secrets', 'hookSecret'] },
  { env: 'SPEAR_MINIONS_OPERATORS', path: ['minions', 'operators'], parse: operatorsFromEnv },
  { env: 'SPEAR_ZK_CONNECT', path: ['zookeeper', 'connect'] },
  { env: 'SPEAR_REDIS_URL', path: ['redis', 'url'] },
  { env: 'SPEAR_REDIS_KEY_PREFIX', path: ['redis', 'keyPrefix'] },
  { env: 'SPEAR_REDIS_PASSWORD', path: ['redis', 'password'] },
  { env: 'SPEAR_KAFKA_BROKERS', path: ['kafka', 'brokers'], parse: (v) => v.split(',').map((s) => s.trim()) },
  { env: 'SPEAR_KAFKA_PASSWORD', path: ['kafka', 'sasl', 'password'] },
  { env: 'SPEAR_KAFKA_CLIENT', path: ['kafka', 'client'] },
  { env: 'SPEAR_BUS', path: ['bus'] },
];

/** Writes every set override into the raw profile object (before validation). */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const applied: string[] = [];
  for (const { env: name, path, parse } of ENV_OVERRIDES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let node = raw;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = parse ? parse(value) : value;
    applied.push(name);
  }
  return applied;
}

/** The environment variable that sets secret `name` (SPEAR_...), if any. */
export function secretEnv(name: string): string | undefined {
  return ENV_OVERRIDES.find((o) => o.path[0] === 'secrets' && o.path[1] === name)?.env;
}
