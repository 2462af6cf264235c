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

export * from './common';
export * from './primitives';
export * from './idgen';
export * from './minions';
export * from './rpc';
export * from './spear';
export * from './stat';
export * from './ticket';
