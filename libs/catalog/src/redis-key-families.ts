/**
 * Every family of Spear's Redis keys, described once: what it holds, who
 * writes it, how long it lives. RedisKeys builds the names; minions counts
 * keys by these families.
 */
/** One family of keys: everything after the prefix starts with `<name>:`. */
export interface RedisKeyFamily {
  /** The segment right after the prefix. */
  readonly name: string;
  /** The keys' shape after the prefix. */
  readonly pattern: string;
  /** Their Redis types. */
  readonly type: string;
  /** Who writes them. */
  readonly writer: string;
  /** What they hold and how long they live. */
  readonly description: string;
}

/** Every key family, in the order operators read them (minions shows its counts by these names). */
export const REDIS_KEY_FAMILIES = [
  {
    name: 'log',
    pattern: 'log:{<uid>}:m | :i | :d',
    type: 'list, hash, hash',
    writer: 'spear, ticket push (libs/delivery UserLog)',
    description: "a user's 1:1 messages by seq (retained by count, age and bytes, acked or not), id → seq with the log's state (last, head, bytes), each device's ack cursor and last visit; TTL the longer of delivery.log.ttlSeconds and delivery.devices.forgetAfterSeconds",
  },
  {
    name: 'known',
    pattern: 'known:{<uid>}',
    type: 'string',
    writer: 'ticket (token and ticket issue), spear (arrivals)',
    description: 'the uid has held a token or a connection: what delivery.quotas.knownUsersOnly asks of a recipient; TTL delivery.log.ttlSeconds',
  },
  {
    name: 'inbox',
    pattern: 'inbox:{<uid>}:h | :z | :seq',
    type: 'hash, sorted set, counter',
    writer: 'none since v1.1 (v1 spear and ticket push)',
    description: "v1's per-user inbox of unacked messages; moved into the user's log on the user's next store or arrival (libs/delivery UserLog), then deleted",
  },
  {
    name: 'route',
    pattern: 'route:{<uid>}',
    type: 'set',
    writer: 'spear (libs/delivery Arrivals, RouteTable)',
    description: 'spear nodes holding a connection of the user; TTL spear.routeTtlSeconds, re-armed by each holding node',
  },
  {
    name: 'node-users',
    pattern: 'node-users:<nodeId>',
    type: 'set',
    writer: 'spear (libs/delivery Arrivals, RouteTable)',
    description: "uids connected to a node, so a survivor can remove a dead node from their routes; TTL twice the route's",
  },
  {
    name: 'group',
    pattern: 'group:{<group>}:log | :floor',
    type: 'list, string',
    writer: 'spear, ticket push (libs/delivery GroupHistory)',
    description: 'bounded history of a group for join with since, and the newest id trimmed from it; TTL delivery.groupHistory.ttlSeconds',
  },
  {
    name: 'members',
    pattern: 'members:{<group>}',
    type: 'sorted set (score 0: lexical order)',
    writer: 'ticket (libs/delivery Memberships)',
    description: "a group's member uids, paged by uid (PROTOCOL.md v1.1 group members); no TTL",
  },
  {
    name: 'online',
    pattern: 'online:{<group>}',
    type: 'sorted set (score: expiry, epoch ms)',
    writer: 'spear (libs/delivery GroupPresence)',
    description: "'<node> <uid>' for each uid with a live connection in the group on that node; re-armed with the node's route refresh, expired entries dropped on read",
  },
  {
    name: 'traffic',
    pattern: 'traffic:{<group>}',
    type: 'hash',
    writer: 'spear, ticket push (libs/delivery GroupTraffic)',
    description: "messages published to the group per second (field: epoch second), the last minute; TTL 2 min",
  },
  {
    name: 'busiest',
    pattern: 'busiest:<epoch minute>',
    type: 'sorted set',
    writer: 'spear, ticket push (libs/delivery GroupTraffic)',
    description: 'messages per group in one minute, for the busiest groups; TTL 3 min',
  },
  {
    name: 'undelivered',
    pattern: 'undelivered:due',
    type: 'sorted set (score: when to check, epoch ms)',
    writer: 'spear, ticket push (libs/delivery UndeliveredChecks)',
    description: "a JSON entry {uid, id, seq, from, ts} per stored 1:1 message while the undelivered hook is on; a node claiming one pushes its score a lease ahead, and removes it once the message is acked or the hook answered",
  },
  {
    name: 'user-groups',
    pattern: 'user-groups:{<uid>}',
    type: 'sorted set (score 0: lexical order)',
    writer: 'ticket (libs/delivery Memberships)',
    description: 'the groups a uid is a member of (joined at every connect); no TTL',
  },
  {
    name: 'token',
    pattern: 'token:<sha256 of the token, hex>',
    type: 'string',
    writer: 'ticket (TokenStore)',
    description: 'the uid an opaque token is bound to (the token itself is never stored); TTL the token life',
  },
  {
    name: 'tokens',
    pattern: 'tokens:{<uid>}',
    type: 'set',
    writer: 'ticket (TokenStore)',
    description: "the SHA-256 digests of a user's opaque tokens, so DELETE /v1/users/{uid}/tokens finds them; TTL the longest token's life",
  },
  {
    name: 'revoked',
    pattern: 'revoked:{<uid>}',
    type: 'string',
    writer: 'ticket (TokenStore)',
    description: "when a user's tokens were last revoked (epoch ms): JWTs issued (iat) before it are refused; TTL the longest token life",
  },
  {
    name: 'nonce',
    pattern: 'nonce:<nonce>',
    type: 'string',
    writer: 'spear (libs/tickets NonceStore)',
    description: "nonces of tickets already used (tickets are single-use); TTL the ticket's remaining life",
  },
  {
    name: 'rl',
    pattern: 'rl:uid:{<uid>}:<window> | rl:ip:{<ip>}:<window> | rl:ip-failed:{<ip>}:<window>',
    type: 'counter',
    writer: 'ticket (TicketGate)',
    description: "fixed-window rate-limit counters of POST /v1/tickets (a uid's proven requests, an address's requests, an address's failed token checks); each expires with its window",
  },
  {
    name: 'stat',
    pattern: 'stat:{<node|rpc>}:seen | :<stepSeconds>:<series>, stat:node:latest | :reports:<node>:<boot>, stat:rpc:index',
    type: 'hash, bitmap',
    writer: 'stat',
    description: 'node reports and RPC statistics: ring-buffer series per resolution, resend dedupe, latest node snapshots, report bitmaps, method index',
  },
  {
    name: 'minions',
    pattern: 'minions:session:<sha256 of the session id, hex> | minions:audit',
    type: 'string, stream',
    writer: 'minions (OperatorSessions, AuditLog)',
    description: "an operator's dashboard session (JSON {operator, createdAt}; TTL 12 h, deleted at logout); the audit log of what operators did (capped at about 100,000 entries)",
  },
] as const satisfies readonly RedisKeyFamily[];

/** The name of a key family. */
export type RedisKeyFamilyName = (typeof REDIS_KEY_FAMILIES)[number]['name'];
