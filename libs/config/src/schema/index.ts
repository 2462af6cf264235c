import { idgenSchema } from './idgen';
import { minionsSchema } from './minions';
import { spearSchema } from './spear';
import { statSchema } from './stat';
import { ticketSchema } from './ticket';

/** One schema per app: an app validates the common sections and its own. */
export const APP_SCHEMAS = {
  ticket: ticketSchema,
  spear: spearSchema,
  idgen: idgenSchema,
  stat: statSchema,
  minions: minionsSchema,
} as const;
export type AppName = keyof typeof APP_SCHEMAS;
export const APP_NAMES = Object.keys(APP_SCHEMAS) as AppName[];

/**
 * The apps whose process talks to Redis: their profiles must have a `redis`
 * section. The others (idgen: ZooKeeper only, ARCHITECTURE.md) get no Redis
 * in their config, so neither a missing URL nor a Redis outage concerns them.
 */
export const REDIS_APPS = ['ticket', 'spear', 'stat', 'minions'] as const satisfies readonly AppName[];
export type RedisAppName = (typeof REDIS_APPS)[number];

export function usesRedis(app: AppName): app is RedisAppName {
  return (REDIS_APPS as readonly AppName[]).includes(app);
}

export * from './common';
export * from './hooks';
export * from './primitives';
export * from './idgen';
export * from './minions';
export * from './rpc';
export * from './spear';
export * from './stat';
export * from './ticket';
