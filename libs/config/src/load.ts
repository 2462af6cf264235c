import { KEY_PREFIX_PATTERN } from '@spear/catalog';
import { DEFAULTS } from './defaults';
import { APP_NAMES, APP_SCHEMAS, commonSchema, isDevOperatorHash, type MinionsConfig, KEY_PREFIX_MESSAGE, usesRedis, type AppName, type CommonConfig, type RedisAppName, type RedisConfig, type SpearConfig } from './schema';
import { applyEnvOverrides, secretEnv } from './env';
import { isDevelopmentProfile, productionSecretProblems, secretsFor, type AppSecrets } from './secrets';
import { ConfigError, describeIssues } from './errors';
import { findProfilesDir, readProfileChain, resolveProfileFile } from './profile-files';
import type { z } from 'zod';

export const DEFAULT_PROFILE = 'local';

/** The validated configuration one app runs with. */
export type AppConfig<A extends AppName> = CommonConfig &
  RedisSection<A> & { [K in A]: z.infer<(typeof APP_SCHEMAS)[K]> } & {
    /** Only this app's secrets (APP_SECRETS): the others are not in its process. */
    secrets: AppSecrets<A>;
    /** Where the profile was read from, for logs and error messages. */
    source: string;
  };

/** `redis` (key prefix filled in) for the apps that use Redis (REDIS_APPS); never for the others. */
export type RedisSection<A extends AppName> = A extends RedisAppName ? { redis: RedisConfig } : { redis?: never };

export interface LoadOptions {
  /** A profile name or a path; defaults to SPEAR_PROFILE, then `local`. */
  profile?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the search for `profiles/` starts; defaults to the working directory. */
  cwd?: string;
}

/** Reads the raw (merged, env-overridden, not yet validated) profile object. */
export function readRawProfile(options: LoadOptions = {}): { raw: Record<string, unknown>; source: string } {
  const env = options.env ?? process.env;
  const ref = options.profile ?? env.SPEAR_PROFILE ?? DEFAULT_PROFILE;
  const profilesDir = () => findProfilesDir(options.cwd ?? process.cwd(), env);
  const source = resolveProfileFile(ref, profilesDir);
  const raw = readProfileChain(source, profilesDir);
  applyEnvOverrides(raw, env);
  return { raw, source };
}

/**
 * Loads and validates the profile for one app. A bad value throws a
 * ConfigError naming the profile file and the field.
 */
export function loadConfig<A extends AppName>(app: A, options: LoadOptions = {}): AppConfig<A> {
  const { raw, source } = readRawProfile(options);
  return validateConfig(app, raw, source);
}

/** Validates a raw profile object for one app (exported for tests and tools). */
export function validateConfig<A extends AppName>(app: A, raw: Record<string, unknown>, source = '(inline)'): AppConfig<A> {
  const unknownKeys = Object.keys(raw).filter((k) => !(k in commonSchema.shape) && !(APP_NAMES as string[]).includes(k));
  if (unknownKeys.length > 0) throw new ConfigError(`profile ${source}: unknown field(s): ${unknownKeys.join(', ')}`);

  const section = raw[app];
  const rest: Record<string, unknown> = { ...raw };
  for (const other of APP_NAMES) delete rest[other];
  // A profile is shared by every app: an app without Redis neither reads nor checks its section.
  if (!usesRedis(app)) delete rest.redis;
  const common = commonSchema.safeParse(rest);
  if (!common.success) throw new ConfigError(`profile ${source}: ${describeIssues(common.error.issues)}`);
  if (section === undefined) throw new ConfigError(`profile ${source}: ${app}: section is missing`);
  const own = APP_SCHEMAS[app].safeParse(section);
  if (!own.success) {
    const issues = own.error.issues.map((i) => ({ ...i, path: [app, ...i.path] }));
    throw new ConfigError(`profile ${source}: ${describeIssues(issues)}`);
  }
  // A call carries a message body: a frame must hold the largest one with room for the call around it.
  if (common.data.rpc.maxFrameBytes < common.data.delivery.maxBodyBytes * 2 + 4096) throw new ConfigError(`profile ${source}: rpc.maxFrameBytes: must be at least 2 x delivery.maxBodyBytes + 4096 (${common.data.delivery.maxBodyBytes * 2 + 4096}) so that a call can carry the largest message`);
  if (common.data.bus === 'kafka' && !common.data.kafka) throw new ConfigError(`profile ${source}: kafka: required when bus is "kafka"`);
  if (app === 'spear') checkHooks(common.data, own.data as SpearConfig, source);
  const secrets = ownSecrets(app, common.data, source);
  if (app === 'minions' && !isDevelopmentProfile(common.data.name)) refuseDevOperators(own.data as MinionsConfig, common.data.name, source);
  const { redis, secrets: _all, ...shared } = common.data;
  let redisSection = {};
  if (usesRedis(app)) {
    if (!redis) throw new ConfigError(`profile ${source}: redis: required by ${app}`);
    redisSection = { redis: withKeyPrefix(redis, shared.name, source) };
  }
  // Each part is validated above; TypeScript cannot check a computed key or RedisSection<A> for a generic A.
  return { ...shared, secrets, ...redisSection, [app]: own.data, source } as unknown as AppConfig<A>;
}

/** An operator whose password is a development one (the local profile's) cannot log in outside development profiles. */
function refuseDevOperators(minions: MinionsConfig, name: string, source: string): void {
  const dev = (minions.operators ?? []).findIndex((o) => isDevOperatorHash(o.passwordHash));
  if (dev >= 0) throw new ConfigError(`profile ${source}: "${name}" is not a development profile (local*, test*): minions.operators.${dev}: has a development password; hash a new one (npm run minions:hash-password)`);
}

/** The app's own secrets; outside development profiles, refused when they are weak or known (secrets.ts). */
function ownSecrets<A extends AppName>(app: A, common: z.infer<typeof commonSchema>, source: string): AppSecrets<A> {
  let secrets: AppSecrets<A>;
  try {
    secrets = secretsFor(app, common.secrets, secretEnv);
  } catch (error) {
    throw new ConfigError(`profile ${source}: ${(error as Error).message}`);
  }
  if (!isDevelopmentProfile(common.name)) {
    const problems = productionSecretProblems(secrets);
    if (problems.length > 0) throw new ConfigError(`profile ${source}: "${common.name}" is not a development profile (local*, test*): ${problems.join('; ')}`);
  }
  return secrets;
}

/** A `hook` namespace needs the join and publish hooks; an HTTP hook or route needs the secret that signs its calls. */
function checkHooks(common: z.infer<typeof commonSchema>, spear: SpearConfig, source: string): void {
  const hookNamespaces = Object.entries(common.groups.namespaces).filter(([, rules]) => rules.policy === 'hook');
  for (const [name] of hookNamespaces) {
    for (const hook of ['join', 'publish'] as const) {
      if (!spear.hooks[hook]) throw new ConfigError(`profile ${source}: spear.hooks.${hook}: required by namespace "${name}" (policy hook)`);
    }
  }
  const undelivered = common.delivery.undeliveredAfterSeconds !== undefined;
  if (undelivered && !spear.hooks.undelivered) throw new ConfigError(`profile ${source}: spear.hooks.undelivered: required by delivery.undeliveredAfterSeconds`);
  if (!undelivered && spear.hooks.undelivered) throw new ConfigError(`profile ${source}: delivery.undeliveredAfterSeconds: required by spear.hooks.undelivered (when to report)`);
  const overHttp = [
    ...Object.entries(spear.hooks).flatMap(([name, hook]) => (hook && 'url' in hook.backend ? [`spear.hooks.${name} (an HTTP hook)`] : [])),
    ...spear.routes.flatMap((route) => ('url' in route.backend ? [`the spear.routes entry "${route.match}" (an HTTP route)`] : [])),
  ];
  if (overHttp.length > 0 && !common.secrets.hookSecret) throw new ConfigError(`profile ${source}: secrets.hookSecret: required by ${overHttp[0]}`);
}

/** `redis` with its key prefix: as stated, or the default derived from the profile's name. */
function withKeyPrefix(redis: Omit<RedisConfig, 'keyPrefix'> & { keyPrefix?: string }, name: string, source: string): RedisConfig {
  const keyPrefix = redis.keyPrefix ?? DEFAULTS.redis.keyPrefix(name);
  // Only a long profile name can make the default invalid; say which field would fix it.
  if (!KEY_PREFIX_PATTERN.test(keyPrefix)) throw new ConfigError(`profile ${source}: redis.keyPrefix: the default "${keyPrefix}" (from name) is invalid, ${KEY_PREFIX_MESSAGE}; state one`);
  return { ...redis, keyPrefix };
}

/** Where a profile's engines listen: all the engines tool needs (it asks for no app's secrets). */
export interface EngineSettings {
  name: string;
  zookeeperConnect: string;
  redisUrl: string;
  /** With `redis.cluster`: every node url the profile names, `redisUrl` first (the engines tool starts a cluster on them). */
  redisClusterNodes?: string[];
  kafkaBrokers?: string[];
  source: string;
}

/** Reads only the engine sections of a profile (name, zookeeper, redis, kafka); a bad one throws a ConfigError naming it. */
export function loadEngineSettings(options: LoadOptions = {}): EngineSettings {
  const { raw, source } = readRawProfile(options);
  // Only where the engines listen: a kafka.sasl section without its password (SPEAR_KAFKA_PASSWORD) is the apps' concern, not this.
  const brokersOnly = typeof raw.kafka === 'object' && raw.kafka !== null ? { brokers: (raw.kafka as { brokers?: unknown }).brokers } : raw.kafka;
  const parsed = commonSchema.pick({ name: true, zookeeper: true, redis: true, kafka: true }).safeParse({ name: raw.name, zookeeper: raw.zookeeper, redis: raw.redis, kafka: brokersOnly });
  if (!parsed.success) throw new ConfigError(`profile ${source}: ${describeIssues(parsed.error.issues)}`);
  const { name, zookeeper, redis, kafka } = parsed.data;
  if (!redis) throw new ConfigError(`profile ${source}: redis: required (its url)`);
  const clusterNodes = redis.cluster ? { redisClusterNodes: [redis.url, ...(redis.seeds ?? [])] } : {};
  return { name, zookeeperConnect: zookeeper.connect, redisUrl: redis.url, ...clusterNodes, ...(kafka ? { kafkaBrokers: kafka.brokers } : {}), source };
}
