import type { Severity } from './severity';

/** One advisory against one package of the lockfile, whatever source reported it. */
export interface Finding {
  /** The id an allow-list entry names: the GHSA id when the source gives one, else `npm:<source number>`. */
  id: string;
  /** Every id this advisory is known by (the GHSA id and npm's number), so an entry may use either. */
  aliases: string[];
  package: string;
  severity: Severity;
  title: string;
  url: string | null;
  /** The vulnerable version range the advisory states. */
  range: string;
  /** Where the lockfile holds a vulnerable copy (`node_modules/...`). */
  locations: string[];
}
