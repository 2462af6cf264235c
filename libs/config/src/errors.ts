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

/** The secrets every app needs; a profile of a real deployment leaves them to the environment. */
const REQUIRED_SECRETS = ['adminKey', 'ticketSecret'];

/** " (set SPEAR_...)" for a secret, or the whole secrets section, that the environment can give. */
function hintFor(path: readonly string[]): string {
  if (path[0] !== 'secrets') return '';
  const keys = path.length === 1 ? REQUIRED_SECRETS : [path[1]!];
  const names = ENV_OVERRIDES.filter((o) => o.path[0] === 'secrets' && keys.includes(o.path[1]!)).map((o) => o.env);
  return names.length ? ` (set ${names.join(' and ')}${path.length === 1 ? ', or give the profile a secrets section' : ''})` : '';
}
