import type { z } from 'zod';
import { secretEnv } from './env';

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
  const name = secretEnv(path[1]!);
  return name ? ` (set ${name})` : '';
}
