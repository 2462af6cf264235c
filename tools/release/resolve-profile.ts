import { APP_SECRETS, ConfigError, CORE_SECRETS, readRawProfile, secretEnv, usesRedis, validateConfig, type AppConfig, type AppName } from '@spear/config';

/** One process of a release: what bin/start.sh starts and probes. */
export interface Instance {
  /** Names its pid file and log: `ticket`, `spear-<nodeId>`. */
  name: string;
  /** Where /healthz is probed: the listener's host, wildcards replaced by loopback. */
  host: string;
  port: number;
  /** For spear: the SPEAR_NODE_ID of this process. */
  nodeId?: string;
}

/** A secret the profile files do not hold, so the environment must give it. */
export interface RequiredEnv {
  env: string;
  field: string;
}

/** The profile a release carries, checked for one app. */
export interface ReleaseProfile {
  /** The merged `extends` chain, exactly as the files say: no env overrides, no placeholders. */
  raw: Record<string, unknown>;
  /** The profile's `name`. */
  name: string;
  source: string;
  instances: Instance[];
  requiredEnv: RequiredEnv[];
}

// Long enough for every secret's minimum length; never written anywhere.
const PLACEHOLDER_SECRET = 'release-validation-placeholder-secret';

/**
 * Reads a profile (name or folder) with its `extends` chain and validates it
 * for `app`. Env overrides are deliberately ignored (a release holds what the
 * files say, not the builder's shell); required secrets missing from the files
 * are validated as placeholders and reported as env the release needs.
 * Throws a ConfigError naming the field when a value is bad.
 */
export function resolveReleaseProfile(app: AppName, profile: string, options: { cwd: string; profilesDir?: string }): ReleaseProfile {
  const env = options.profilesDir ? { SPEAR_PROFILES_DIR: options.profilesDir } : {};
  const { raw, source } = readRawProfile({ profile, env, cwd: options.cwd });
  const { secrets, requiredEnv } = withPlaceholderSecrets(app, raw.secrets);
  const kafka = withPlaceholderKafkaPassword(raw.kafka);
  const redis = usesRedis(app) ? withPlaceholderRedisPassword(raw.redis) : { redis: raw.redis, requiredEnv: [] };
  const config = validateConfig(app, { ...raw, secrets, ...(raw.kafka !== undefined ? { kafka: kafka.kafka } : {}), ...(raw.redis !== undefined ? { redis: redis.redis } : {}) }, source);
  return { raw, name: config.name, source, instances: instancesOf(app, config, source), requiredEnv: [...requiredEnv, ...kafka.requiredEnv, ...redis.requiredEnv] };
}

/** Fills in each secret `app` requires that the files lack, so the rest of the profile can be validated. */
function withPlaceholderSecrets(app: AppName, secrets: unknown): { secrets: unknown; requiredEnv: RequiredEnv[] } {
  // A non-object `secrets` is left for validation to name.
  if (secrets !== undefined && (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets))) return { secrets, requiredEnv: [] };
  const filled: Record<string, unknown> = { ...(secrets as Record<string, unknown> | undefined) };
  const requiredEnv: RequiredEnv[] = [];
  for (const key of [...CORE_SECRETS, ...APP_SECRETS[app].required]) {
    if (filled[key] !== undefined) continue;
    const env = secretEnv(key);
    if (!env) continue; // no env can supply it: let validation report the missing field
    // Ticket secrets name their key id outside development profiles (libs/config secrets.ts).
    filled[key] = key.startsWith('ticketSecret') ? `placeholder:${PLACEHOLDER_SECRET}` : PLACEHOLDER_SECRET;
    requiredEnv.push({ env, field: `secrets.${key}` });
  }
  return { secrets: filled, requiredEnv };
}

/** A kafka.sasl section's password comes from the environment only (SPEAR_KAFKA_PASSWORD). */
function withPlaceholderKafkaPassword(kafka: unknown): { kafka: unknown; requiredEnv: RequiredEnv[] } {
  const sasl = (kafka as { sasl?: Record<string, unknown> } | undefined)?.sasl;
  if (typeof sasl !== 'object' || sasl === null || sasl.password !== undefined) return { kafka, requiredEnv: [] };
  return { kafka: { ...(kafka as object), sasl: { ...sasl, password: PLACEHOLDER_SECRET } }, requiredEnv: [{ env: 'SPEAR_KAFKA_PASSWORD', field: 'kafka.sasl.password' }] };
}

/**
 * A `redis.username` says the deployment's Redis has ACL users, so its
 * password must come from the environment (SPEAR_REDIS_PASSWORD); a profile
 * without one expects no password (a Redis with only `requirepass` is named
 * as `username: "default"`). Only for the apps that use Redis.
 */
function withPlaceholderRedisPassword(redis: unknown): { redis: unknown; requiredEnv: RequiredEnv[] } {
  if (typeof redis !== 'object' || redis === null) return { redis, requiredEnv: [] };
  const section = redis as Record<string, unknown>;
  if (section.username === undefined || section.password !== undefined) return { redis, requiredEnv: [] };
  return { redis: { ...section, password: PLACEHOLDER_SECRET }, requiredEnv: [{ env: 'SPEAR_REDIS_PASSWORD', field: 'redis.password' }] };
}

/** The processes of one app under this profile: one, or one per spear node. */
function instancesOf(app: AppName, config: AppConfig<AppName>, source: string): Instance[] {
  const listeners =
    app === 'spear'
      ? (config as AppConfig<'spear'>).spear.nodes.map((n, i) => ({ name: `spear-${n.id}`, nodeId: n.id, host: n.host, port: n.port, field: `spear.nodes.${i}` }))
      : [{ name: app, ...httpOf(config, app), field: `${app}.http` }];
  return listeners.map(({ field, ...l }) => {
    // start.sh must know the port to probe, and its instances file is split on spaces.
    if (l.port === 0) throw new ConfigError(`profile ${source}: ${field}.port: 0 (picked by the OS) cannot be released; bin/start.sh needs a fixed port`);
    if (!/^[A-Za-z0-9.:_-]+$/.test(l.host)) throw new ConfigError(`profile ${source}: ${field}.host: "${l.host}" is not a plain host name or address`);
    return { ...l, host: probeHost(l.host) };
  });
}

/** Every app but spear has one `http` listener in its section. */
function httpOf(config: AppConfig<AppName>, app: AppName): { host: string; port: number } {
  return (config as unknown as Record<string, { http: { host: string; port: number } }>)[app]!.http;
}

/** A wildcard listener is probed on loopback; an IPv6 literal is bracketed for URLs. */
function probeHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
