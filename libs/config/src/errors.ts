import type { z } from 'zod';

/** A profile that cannot be used; the message names the profile, the file and the field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Turns zod issues into "field.path: what is wrong" lines. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
