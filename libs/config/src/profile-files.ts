import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from './errors';

export const PROFILE_FILE = 'profile.json';
type Json = Record<string, unknown>;

/** Finds the folder holding profiles: SPEAR_PROFILES_DIR, else the first `profiles/` up from `from`. */
export function findProfilesDir(from: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.SPEAR_PROFILES_DIR) return resolve(env.SPEAR_PROFILES_DIR);
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'profiles');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    if (dirname(dir) === dir) throw new ConfigError(`no profiles/ folder found above ${from}; set SPEAR_PROFILES_DIR`);
  }
}

/**
 * Resolves a profile reference to its profile.json: a name under the profiles
 * folder, or a path (containing a slash) to a folder or file.
 */
export function resolveProfileFile(ref: string, profilesDir: () => string): string {
  const looksLikePath = ref.includes('/') || isAbsolute(ref);
  const target = looksLikePath ? resolve(ref) : join(profilesDir(), ref);
  const file = existsSync(target) && statSync(target).isDirectory() ? join(target, PROFILE_FILE) : target;
  if (!existsSync(file)) throw new ConfigError(`profile "${ref}" not found (looked for ${file})`);
  return file;
}

/** Reads a profile file and the chain of profiles it `extends`, merged deepest-first. */
export function readProfileChain(file: string, profilesDir: () => string, seen: string[] = []): Json {
  if (seen.includes(file)) throw new ConfigError(`profile extends itself: ${[...seen, file].join(' -> ')}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`profile file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(raw)) throw new ConfigError(`profile file ${file} must hold a JSON object`);
  const { extends: parent, ...own } = raw;
  if (parent === undefined) return own;
  if (typeof parent !== 'string') throw new ConfigError(`${file}: extends: expected a profile name`);
  const base = readProfileChain(resolveProfileFile(parent, profilesDir), profilesDir, [...seen, file]);
  return deepMerge(base, own);
}

/** Objects merge key by key; arrays and scalars from `over` replace those of `base`. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] = isObject(prior) && isObject(value) ? deepMerge(prior, value) : value;
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
