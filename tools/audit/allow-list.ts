/**
 * The reviewed allow-list (tools/audit/allow-list.json): high or critical advisories that a person
 * read and judged not to apply to Spear, each until a date. An entry suppresses exactly one advisory
 * on exactly one package; past its expiry it suppresses nothing and the advisory fails CI again.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The longest an entry may stay valid: a review goes stale as the code and the advisory change. */
export const MAX_REVIEW_DAYS = 180;

const DAY_MS = 86_400_000;
const ADVISORY_ID = /^(GHSA(-[0-9a-z]{4}){3}|npm:\d+)$/i;
// An npm package name, scoped or not (lowercase, as the registry requires for new names).
const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/;

const entrySchema = z.strictObject({
  id: z.string().regex(ADVISORY_ID, 'a GHSA id (GHSA-xxxx-xxxx-xxxx) or npm:<number>'),
  package: z.string().regex(PACKAGE_NAME, 'an npm package name'),
  reason: z.string().trim().min(20, 'why the advisory does not apply to Spear, in a sentence (at least 20 characters)'),
  reviewedBy: z.string().trim().min(1, 'who reviewed it'),
  reviewedOn: z.iso.date('a date, YYYY-MM-DD'),
  expires: z.iso.date('a date, YYYY-MM-DD'),
});

const fileSchema = z.strictObject({ advisories: z.array(entrySchema) });

export type AllowEntry = z.infer<typeof entrySchema>;

export class AllowListError extends Error {}

/**
 * Guarantee: returns only entries that are well formed, unique per (id, package), reviewed no later
 * than `today`, and expire after review within MAX_REVIEW_DAYS; anything else throws AllowListError
 * naming the file, the entry and the field. An expired entry is still returned (see isActive).
 */
export function parseAllowList(json: unknown, today: string, source = 'allow-list'): AllowEntry[] {
  const result = fileSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${describePath(json, issue.path)}: ${isMissing(json, issue.path) ? 'missing' : issue.message}`);
    throw new AllowListError(`${source}: ${lines.join('; ')}`);
  }
  const seen = new Set<string>();
  return result.data.advisories.map((entry, index) => {
    const at = `${source}: advisories[${index}] (${entry.id} on ${entry.package})`;
    const key = `${entry.id.toLowerCase()} ${entry.package}`;
    if (seen.has(key)) throw new AllowListError(`${at}: listed twice`);
    seen.add(key);
    if (entry.reviewedOn > today) throw new AllowListError(`${at}: reviewedOn ${entry.reviewedOn} is after today (${today})`);
    const days = (Date.parse(entry.expires) - Date.parse(entry.reviewedOn)) / DAY_MS;
    if (days <= 0) throw new AllowListError(`${at}: expires ${entry.expires} is not after reviewedOn ${entry.reviewedOn}`);
    if (days > MAX_REVIEW_DAYS) {
      throw new AllowListError(`${at}: expires ${days} days after review; at most ${MAX_REVIEW_DAYS} (review it again instead)`);
    }
    return entry;
  });
}

/** Reads and checks the file; a missing file or bad JSON is an AllowListError too. */
export function loadAllowList(path: string, today: string): AllowEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AllowListError(`${path}: cannot be read (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AllowListError(`${path}: not JSON (${(error as Error).message})`);
  }
  return parseAllowList(json, today, path);
}

/** An entry counts through the whole of its expiry day (UTC), and not after it. */
export function isActive(entry: AllowEntry, today: string): boolean {
  return today <= entry.expires;
}

/** Guarantee: the entry names this advisory (by any of its ids, case aside) on this very package. */
export function matches(entry: AllowEntry, finding: { aliases: string[]; package: string }): boolean {
  return entry.package === finding.package && finding.aliases.some((id) => id.toLowerCase() === entry.id.toLowerCase());
}

/** Today's date in UTC as YYYY-MM-DD: the form entries are written in and compared as. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function describePath(json: unknown, path: PropertyKey[]): string {
  if (path[0] !== 'advisories' || typeof path[1] !== 'number') return path.length ? path.map(String).join('.') : 'file';
  const entry = (json as { advisories: unknown[] }).advisories[path[1]] as { id?: unknown } | undefined;
  const named = typeof entry?.id === 'string' ? ` (${entry.id})` : '';
  return `advisories[${path[1]}]${named}${path.length > 2 ? `.${path.slice(2).map(String).join('.')}` : ''}`;
}

function isMissing(json: unknown, path: PropertyKey[]): boolean {
  let value: unknown = json;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value === undefined;
}
