import { REDIS_KEY_FAMILIES, type RedisKeyFamilyName } from './redis-key-families';

/**
 * Every Redis key of Spear, built from one per-profile prefix (the profile's
 * `redis.keyPrefix`). Nothing else in the tree writes a key name: stores take
 * a {@link RedisKeys} and ask it, minions counts keys by {@link REDIS_KEY_FAMILIES}.
 *
 * Keys of one user (inbox, route) carry the `{<uid>}` hash tag and keys of
 * one group the `{<group>}` tag, so each set stays on one Redis Cluster slot
 * and the scripts that touch them together stay legal there.
 */

/**
 * What a key prefix may look like: letters, digits and `_ . : -`, ending
 * with `:` so every key reads `<prefix><family>:...`; 2 to 64 characters.
 * No `{` or `}`: a brace in the prefix would become the hash tag of every key
 * (all of them on one Cluster slot, the per-uid and per-group tags ignored).
 * No glob characters: minions counts keys with `SCAN MATCH <prefix>*`.
 */
export const KEY_PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,63}:$/;

/**
 * The prefix every key had before per-profile namespaces existed. Profile
 * `local` states it, so a data set written before keeps working (see
 * profiles/README.md for moving to the per-profile default).
 */
export const LEGACY_KEY_PREFIX = 'spear:';

/**
 * The prefix of a profile that states none (libs/config's default):
 * `spear:<profileName>:`, a namespace per profile as its ZooKeeper root is one.
 * Not checked here: a long name can exceed 64 characters, which config reports.
 */
export function defaultKeyPrefix(profileName: string): string {
  return `${LEGACY_KEY_PREFIX}${profileName}:`;
}

/** Returns `prefix` when it matches {@link KEY_PREFIX_PATTERN}; throws a RangeError naming it otherwise. */
export function assertKeyPrefix(prefix: string): string {
  if (!KEY_PREFIX_PATTERN.test(prefix)) {
    throw new RangeError(`invalid Redis key prefix ${JSON.stringify(prefix)}: expected 2-64 characters of [A-Za-z0-9_.:-] ending with ':'`);
  }
  return prefix;
}


/** The stores of stat's rolling series: spear node reports and RPC statistics. */
export type StatStoreName = 'node' | 'rpc';

/** A rate-limit counter's subject kind. */
/** Whose budget a rate-limit counter is: a uid's requests, an address's requests, an address's failed token checks. */
export type RateLimitScope = 'uid' | 'ip' | 'ip-failed';

/** The three keys of one user's inbox (one hash tag: one Cluster slot). */
export interface InboxKeys {
  /** Hash: message id → message JSON. */
  hash: string;
  /** Sorted set: message ids by write sequence. */
  order: string;
  /** Counter: the last write sequence. */
  seq: string;
}

/** The keys of one user's log (one hash tag: one Cluster slot, with the route and the v1 inbox). */
export interface LogKeys {
  /** List: one entry per message, oldest first; the entry at index k has seq head + k. */
  entries: string;
  /** Hash: message id → seq (acks by id, a repeated id stored once), and the log's state under `#` fields. */
  index: string;
  /** Hash: <device> → ack cursor, <device>:a → seqs acked above it, <device>:t → last visit (ms). */
  devices: string;
}

/** The two keys of one group's history (one hash tag: one Cluster slot). */
export interface GroupKeys {
  /** List: message JSON, oldest first. */
  log: string;
  /** String: the newest id trimmed from the log. */
  floor: string;
}

const FAMILY_NAMES: ReadonlySet<string> = new Set(REDIS_KEY_FAMILIES.map((f) => f.name));

/**
 * The key names of one namespace. Cheap to build (it holds only the prefix);
 * a process builds one from its profile and hands it to every store.
 */
export class RedisKeys {
  /** The prefix every key of this namespace starts with, e.g. `spear:test1:`. */
  readonly prefix: string;

  /** @throws RangeError when `prefix` does not match {@link KEY_PREFIX_PATTERN}. */
  constructor(prefix: string) {
    this.prefix = assertKeyPrefix(prefix);
  }

  /** `SCAN MATCH` pattern of every key of this namespace. */
  get scanPattern(): string {
    return `${this.prefix}*`;
  }

  /**
   * The namespace to give the Redis bus for its pub/sub channels: the prefix
   * without its final `:` (`spear:` gives `spear`, the bus's own default).
   * Channels are not keys, but two profiles on one Redis share them too, and
   * pub/sub ignores the database number.
   */
  get channelPrefix(): string {
    return this.prefix.slice(0, -1);
  }

  /** v1's inbox of `uid`: `inbox:{<uid>}:h`, `:z`, `:seq` (read once, to move it into the log). */
  inbox(uid: string): InboxKeys {
    const head = `${this.prefix}inbox:{${uid}}:`;
    return { hash: `${head}h`, order: `${head}z`, seq: `${head}seq` };
  }

  /** The log of `uid`: `log:{<uid>}:m`, `:i`, `:d`. */
  log(uid: string): LogKeys {
    const head = `${this.prefix}log:{${uid}}:`;
    return { entries: `${head}m`, index: `${head}i`, devices: `${head}d` };
  }

  /** Set while `uid` is known (has held a token or a connection): `known:{<uid>}`. */
  known(uid: string): string {
    return `${this.prefix}known:{${uid}}`;
  }

  /** Nodes holding a connection of `uid`: `route:{<uid>}` (same slot as its log). */
  route(uid: string): string {
    return `${this.prefix}route:{${uid}}`;
  }

  /** Uids connected to `nodeId`: `node-users:<nodeId>`. */
  nodeUsers(nodeId: string): string {
    return `${this.prefix}node-users:${nodeId}`;
  }

  /** The history of `group`: `group:{<group>}:log`, `:floor`. */
  group(group: string): GroupKeys {
    const head = `${this.prefix}group:{${group}}:`;
    return { log: `${head}log`, floor: `${head}floor` };
  }

  /** The uid of an opaque token, by the token's SHA-256 in hex: `token:<digest>`. */
  token(sha256Hex: string): string {
    return `${this.prefix}token:${sha256Hex}`;
  }

  /** The members of `group`: `members:{<group>}`. */
  groupMembers(group: string): string {
    return `${this.prefix}members:{${group}}`;
  }

  /** Who is online in `group`, per node: `online:{<group>}`. */
  groupOnline(group: string): string {
    return `${this.prefix}online:{${group}}`;
  }

  /** Messages per second in `group`: `traffic:{<group>}`. */
  groupTraffic(group: string): string {
    return `${this.prefix}traffic:{${group}}`;
  }

  /** Messages per group in one minute: `busiest:<minute>`. */
  busiestGroups(minute: number): string {
    return `${this.prefix}busiest:${minute}`;
  }

  /** Stored 1:1 messages to check for the undelivered hook, scored by when: `undelivered:due`. */
  undeliveredDue(): string {
    return `${this.prefix}undelivered:due`;
  }

  /** The groups `uid` is a member of: `user-groups:{<uid>}` (same slot as its log). */
  userGroups(uid: string): string {
    return `${this.prefix}user-groups:{${uid}}`;
  }

  /** The digests of `uid`'s opaque tokens: `tokens:{<uid>}`. */
  userTokens(uid: string): string {
    return `${this.prefix}tokens:{${uid}}`;
  }

  /** When `uid`'s tokens were last revoked (epoch ms): `revoked:{<uid>}`. */
  revokedBefore(uid: string): string {
    return `${this.prefix}revoked:{${uid}}`;
  }

  /** A used ticket nonce: `nonce:<nonce>`. */
  nonce(nonce: string): string {
    return `${this.prefix}nonce:${nonce}`;
  }

  /**
   * The counter of `subject`'s fixed window number `window`:
   * `rl:<scope>:{<subject>}:<window>`. The subject is the hash tag, so an
   * address's two counters share a slot, and a uid's counter is on the slot
   * of its revocation mark (ticket's gate reads them together).
   */
  rateLimit(scope: RateLimitScope, subject: string, window: number): string {
    return `${this.prefix}rl:${scope}:{${subject}}:${window}`;
  }

  /** Last seq recorded per source of a stat store (resends count once): `stat:{<store>}:seen`, on its store's slot. */
  statSeen(store: StatStoreName): string {
    return `${this.prefix}stat:{${store}}:seen`;
  }

  /**
   * One ring-buffer series of a stat store at one resolution:
   * `stat:{<store>}:<stepSeconds>:<series>`. A store's series and its seen
   * set share the `{<store>}` tag: one script records a report into all of
   * them (stat's volume is a report per node every few seconds, so one slot
   * per store is no hot spot).
   */
  statSeries(store: StatStoreName, stepSeconds: number, series: string): string {
    return `${this.prefix}stat:{${store}}:${stepSeconds}:${series}`;
  }

  /** The latest report per spear node: `stat:node:latest`. */
  statNodeLatest(): string {
    return `${this.prefix}stat:node:latest`;
  }

  /** Bitmap of the reports stored from one node's process life: `stat:node:reports:<node>:<boot>`. */
  statNodeReports(node: string, boot: string): string {
    return `${this.prefix}stat:node:reports:${node}:${boot}`;
  }

  /** When each RPC method (and provider) was last seen: `stat:rpc:index`. */
  statRpcIndex(): string {
    return `${this.prefix}stat:rpc:index`;
  }

  /** An operator's dashboard session, by the session id's SHA-256 in hex: `minions:session:<digest>`. */
  minionsSession(sha256Hex: string): string {
    return `${this.prefix}minions:session:${sha256Hex}`;
  }

  /** The dashboard's audit log (a capped stream): `minions:audit`. */
  minionsAudit(): string {
    return `${this.prefix}minions:audit`;
  }

  /** The family `key` belongs to, or undefined for a key outside this namespace or of no known family. */
  familyOf(key: string): RedisKeyFamilyName | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const end = key.indexOf(':', this.prefix.length);
    if (end < 0) return undefined;
    const name = key.slice(this.prefix.length, end);
    return FAMILY_NAMES.has(name) ? (name as RedisKeyFamilyName) : undefined;
  }
}
