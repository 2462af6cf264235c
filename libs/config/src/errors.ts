import type { z } from 'zod';
import { ENV_OVERRIDES } from './env';

/** A profile that cannot be used; the message names the profile, the file and the field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Turns zod issues into "field.path: what is wrong" lines, naming the environment variable that sets a missing secret. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      return `${path}: ${issue.message}${hintFor(issue.path.map(String))}`;
    })
    .join('; ');
}

/** " (set SPEAR_...)" for a bad secret that the environment can give. */
function hintFor(path: readonly string[]): string {
  if (path[0] !== 'secrets' || path.length < 2) return '';
  const names = ENV_OVERRIDES.filter((o) => o.path[0] === 'secrets' && o.path[1] === path[1]).map((o) => o.env);
  return names.length ? ` (set ${names.join(' and ')})` : '';
}
