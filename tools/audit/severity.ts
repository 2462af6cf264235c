/** npm's advisory severities, lowest first (the order `npm audit` and GitHub use). */
export const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The lowest severity that fails CI: issue #19 asks for high and critical. */
export const BLOCKING_FROM: Severity = 'high';

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** Guarantee: true exactly for the severities from BLOCKING_FROM up (high and critical). */
export function isBlocking(severity: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(BLOCKING_FROM);
}
