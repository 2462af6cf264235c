import type { RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';
import { ProtocolError, type HistoryPayload, type MsgEvent } from '@spear/protocol';
import { durableWriter, MEMORY_DURABILITY, type DurableWriter } from './durability';
import { MAX_ACKED_ABOVE_CURSOR, MAX_HISTORY_SCAN, type LogOptions } from './log-options';
import { APPEND_FAST_LUA, APPEND_LUA } from './append-lua';
import { ACK_LUA, ARRIVE_LUA, HISTORY_LUA } from './user-log-lua';

/** How a store is charged: a client's send (every quota), a sender copy (none), an admin push (bytes only). */
export type StoreKind = 'send' | 'copy' | 'push';

export interface StoreOptions {
  kind: StoreKind;
  /** False: refuse (`rate_limited`) when the recipient is offline (the sender's offline budget is spent). */
  offlineAllowed?: boolean;
}

/** A stored message: its seq in the log, and the nodes where the log's owner was connected. */
export interface Stored {
  seq: number;
  nodes: string[];
  /** The append published the forward to every node in `nodes` but the writer's own (LogForwarding). */
  forwarded?: boolean;
}

/**
 * Where the common append publishes the message's forward itself, in the
 * same script: on one Redis that is also the Redis bus's (`nodeChannelPrefix`:
 * @spear/bus nodeChannelPrefix), to every node holding the recipient but
 * `nodeId`, the writer's own. Why: the writer would otherwise publish it
 * through the bus once the append answered, a second round trip per
 * forwarded message, each a socket write and read on both sides (about 7%
 * of the servers' CPU per 1:1 message at 3,000-5,000 msgs/s,
 * docs/BENCHMARKS.md). Only where the append's answer is the message's
 * durability (the `memory` mode): a replicated or fsynced write is
 * forwarded once its wait is over, as before.
 */
export interface LogForwarding {
  nodeChannelPrefix: string;
  nodeId: string;
}

/**
 * What a device has not acked, oldest first, read with the log's last seq at
 * that moment: every seq up to `last` is either among `messages` or acked by
 * the device (or dropped by retention), so a connection handed `messages`
 * has all it needs up to `last` (the node's hole tracking, seq-holes.ts).
 */
export interface Unacked {
  messages: MsgEvent[];
  last: number;
}

/** What a device gets at connect: its unacked messages (as Unacked), whether retention dropped some first, and its user's groups (sorted). */
export interface Arrival extends Unacked {
  gap: boolean;
  groups: string[];
}

/** An ack of one device: v1's ids, or everything up to a seq. */
export type DeviceAck = { ids: readonly string[]; upTo?: undefined } | { upTo: number; ids?: undefined };

/** The node an arrival registers (its route entry, kept alive by refreshes). */
export interface ArrivalNode {
  id: string;
  routeTtlSeconds: number;
}

/**
 * Every user's log of 1:1 messages in Redis, with per-device delivery state
 * (PROTOCOL.md "Delivery, v1.1"). One script per call, each atomic (an
 * append: the fast one, and the full one only when the fast one wrote
 * nothing and said so).
 *
 * Guarantees:
 * - `append` resolves once the message is in the log with the next seq (1, 2,
 *   3... no gaps), or rejects with a ProtocolError and nothing written; a
 *   repeated id is stored once (the first seq is returned). It also returns
 *   where the owner is connected, read in the same script (one round trip).
 *   With `forwarding`, a common append (the fast script, not a sender copy)
 *   also publishes the forward to those nodes but the writer's in that
 *   script, atomically with the write, and says so (`forwarded`); the full
 *   script's appends (a new log, the bytes quota's branch, a v1 inbox to
 *   move) and repeats leave the forward to the writer.
 * - The log keeps the last `cap` messages for at most `ttlSeconds`, acked or
 *   not (retention); acked history is also dropped to stay under `maxBytes`.
 * - `arrive` returns, in seq order, every retained message the device has not
 *   acked, and `gap` once when retention dropped some it had not acked; a
 *   message appended after it finds the node in the route (possibly both:
 *   clients drop duplicates by id).
 * - An ack moves only that device's state: other devices still get everything.
 * - A v1 inbox (unacked messages) is moved into the log on the user's next
 *   append or arrival, in its order, for every device.
 */
export class UserLog {
  private readonly keyTtlSeconds: number;
  /** `append`'s default writer: this log's own connection, no replica waited for. */
  private readonly direct: DurableWriter;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: LogOptions,
    private readonly forwarding?: LogForwarding,
  ) {
    // The devices outlive retention when they must be remembered longer, and every key goes with the rest.
    this.keyTtlSeconds = Math.max(options.ttlSeconds, options.forgetDeviceAfterSeconds);
    UserLog.defineCommands(redis);
    this.direct = durableWriter(redis, MEMORY_DURABILITY);
  }

  /** Teaches a connection the log's scripts (each connection knows only what it was taught). */
  static defineCommands(redis: RedisClient): void {
    // Two fixed key counts, not a count as first argument: ioredis's cluster auto-pipelining finds the slot from the first argument.
    redis.defineCommand('spearLogAppendFast', { numberOfKeys: 3, lua: APPEND_FAST_LUA });
    redis.defineCommand('spearLogAppendFastKnown', { numberOfKeys: 5, lua: APPEND_FAST_LUA });
    redis.defineCommand('spearLogAppend', { numberOfKeys: 9, lua: APPEND_LUA });
    redis.defineCommand('spearLogArrive', { numberOfKeys: 9, lua: ARRIVE_LUA });
    redis.defineCommand('spearLogAck', { numberOfKeys: 9, lua: ACK_LUA });
    redis.defineCommand('spearLogHistory', { numberOfKeys: 9, lua: HISTORY_LUA });
  }

  /** The nine keys of `uid`'s scripts, in the order user-log-lua.ts reads them. */
  private userKeys(uid: string): string[] {
    const log = this.keys.log(uid);
    const v1 = this.keys.inbox(uid);
    return [log.entries, log.index, this.keys.route(uid), this.keys.known(uid), this.keys.userGroups(uid), log.devices, v1.hash, v1.order, v1.seq];
  }

  private get cutoff(): number {
    return Date.now() - this.options.ttlSeconds * 1000;
  }

  /**
   * Appends `message` to `owner`'s log (its recipient's, or its sender's for
   * a sender copy): the fast script, then the full one when it answers
   * 'slow', each a write of its own (a replicated writer waits for each).
   * `writer`: where the writes go (default: this log's own connection).
   */
  async append(owner: string, message: MsgEvent, options: StoreOptions, writer: Pick<DurableWriter, 'write'> = this.direct): Promise<Stored> {
    const { entries, index } = this.keys.log(owner);
    const knownOnly = options.kind === 'send' && this.options.knownUsersOnly;
    const argv = this.appendArgv(message, options);
    let reply = await writer.write(
      entries,
      (redis) =>
        knownOnly
          ? commandsOf(redis).spearLogAppendFastKnown(entries, index, this.keys.route(owner), this.keys.known(owner), this.keys.userGroups(owner), ...argv)
          : commandsOf(redis).spearLogAppendFast(entries, index, this.keys.route(owner), ...argv),
      mayHaveWritten,
    );
    if (reply[0] === 'slow') reply = await writer.write(entries, (redis) => commandsOf(redis).spearLogAppend(...this.userKeys(owner), ...argv, knownOnly ? '1' : '0'), mayHaveWritten);
    return parseAppend(owner, reply);
  }

  /** The ARGV both append scripts take (append-lua.ts); the full one reads knownOnly after them. */
  private appendArgv(message: MsgEvent, options: StoreOptions): Array<string | number> {
    const { cap, maxBytes, ttlSeconds } = this.options;
    // A sender copy is forwarded by its writer (it names the sessions to skip): the script does not publish it.
    const forwarding = options.kind === 'copy' ? undefined : this.forwarding;
    return [
      message.id,
      message.ts,
      `${message.id} ${message.ts} ${message.from} ${message.to} ${JSON.stringify(message).slice(0, -1)}`,
      cap,
      ttlSeconds * 1000,
      this.keyTtlSeconds,
      options.kind === 'copy' ? 0 : maxBytes,
      options.kind === 'send' && options.offlineAllowed === false ? '0' : '1',
      forwarding?.nodeChannelPrefix ?? '',
      forwarding?.nodeId ?? '',
    ];
  }

  /** A device's connection arrives: `node` given, the node joins the route; resolves to what the device has not acked. */
  async arrive(uid: string, device: string, node?: ArrivalNode): Promise<Arrival> {
    // The node's uid index (another slot on a cluster) is written first on one Redis, beside it on a cluster: it must cover the route (RouteTable).
    const indexed = node ? this.redis.sadd(this.keys.nodeUsers(node.id), uid) : undefined;
    const [arrival] = await Promise.all([this.commands.spearLogArrive(...this.arriveArgs(uid, device, node, false)), indexed]);
    return parseArrival(arrival);
  }

  /** What `device` has not acked, without changing anything (a replay after a bus gap or a hole). */
  async unacked(uid: string, device: string): Promise<Unacked> {
    const { messages, last } = parseArrival(await this.commands.spearLogArrive(...this.arriveArgs(uid, device, undefined, true)));
    return { messages, last };
  }

  private arriveArgs(uid: string, device: string, node: ArrivalNode | undefined, readOnly: boolean): Array<string | number> {
    const { cap, forgetDeviceAfterSeconds, maxDevices } = this.options;
    const now = Date.now();
    return [
      ...this.userKeys(uid),
      node ? '1' : '0',
      node?.id ?? '',
      node?.routeTtlSeconds ?? 0,
      uid,
      device,
      now,
      cap,
      this.cutoff,
      this.keyTtlSeconds,
      now - forgetDeviceAfterSeconds * 1000,
      maxDevices,
      MAX_ACKED_ABOVE_CURSOR,
      readOnly ? '1' : '0',
    ];
  }

  /**
   * Acks for `device` only. `ids`: a script maps them to seqs (unknown ones
   * ignored) and moves the cursor over the contiguous ones. `upTo`: the
   * cursor is set as given, one HSET (what makes a v1.1 ack cheaper than v1's
   * per-id removal); the caller clamps it to what the device was sent. A
   * stale `upTo` from another connection of the same device can move it back:
   * those messages are redelivered, never lost.
   */
  async ack(uid: string, device: string, ack: DeviceAck): Promise<void> {
    if (ack.upTo !== undefined) {
      await this.redis.hset(this.keys.log(uid).devices, device, ack.upTo, `${device}#t`, Date.now());
      return;
    }
    await this.commands.spearLogAck(...this.userKeys(uid), device, Date.now(), MAX_ACKED_ABOVE_CURSOR, this.keyTtlSeconds, ...ack.ids);
  }

  /** `uid`'s log newest first, filtered as PROTOCOL.md's `history` says (at most MAX_HISTORY_SCAN entries looked at). */
  async history(uid: string, query: HistoryPayload): Promise<MsgEvent[]> {
    const entries = await this.commands.spearLogHistory(...this.userKeys(uid), uid, query.with ?? '', query.before ?? 0, query.limit, this.cutoff, MAX_HISTORY_SCAN);
    return entries.map(parseEntry);
  }

  private get commands(): LogCommands {
    return commandsOf(this.redis);
  }
}

/** Whether an append's reply may stand for a write: all but 'slow' and the refusals that write nothing ('dup' too: the first write may not be on the replicas yet; 'full' may have made room). */
function mayHaveWritten(reply: Array<string | number>): boolean {
  return reply[0] !== 'slow' && reply[0] !== 'unknown' && reply[0] !== 'offline';
}

/** The scripts' commands of a connection taught by UserLog.defineCommands. */
function commandsOf(redis: RedisClient): LogCommands {
  return redis as unknown as LogCommands;
}

/** An entry's message: its JSON starts at the first `{` (the header before it holds none). */
export function parseEntry(entry: string): MsgEvent {
  return JSON.parse(entry.slice(entry.indexOf('{'))) as MsgEvent;
}

/** An arrival script's reply: {gap, last, n, n groups, entries}. */
function parseArrival(reply: Array<string | number>): Arrival {
  const n = reply[2] as number;
  return {
    gap: reply[0] === 1,
    last: reply[1] as number,
    groups: reply.slice(3, 3 + n) as string[],
    messages: reply.slice(3 + n).map((e) => parseEntry(e as string)),
  };
}

/** An append script's reply as a Stored, or the refusal it names. */
function parseAppend(owner: string, reply: Array<string | number>): Stored {
  const status = reply[0];
  if (status === 'ok' || status === 'dup') return { seq: reply[1] as number, nodes: reply.slice(2) as string[] };
  if (status === 'okf') return { seq: reply[1] as number, nodes: reply.slice(2) as string[], forwarded: true };
  if (status === 'unknown') throw new ProtocolError('forbidden', `${owner} is not a known user`);
  if (status === 'offline') throw new ProtocolError('rate_limited', 'too many messages to offline users; slow down');
  if (status === 'full') throw new ProtocolError('rate_limited', `the log of ${owner} is full; retry later`);
  throw new Error(`unexpected append reply ${String(status)}`);
}

interface LogCommands {
  spearLogAppendFast(...keysThenArgs: Array<string | number>): Promise<Array<string | number>>;
  spearLogAppendFastKnown(...keysThenArgs: Array<string | number>): Promise<Array<string | number>>;
  spearLogAppend(...keysThenArgs: Array<string | number>): Promise<Array<string | number>>;
  spearLogArrive(...keysThenArgs: Array<string | number>): Promise<Array<string | number>>;
  spearLogAck(...keysThenArgs: Array<string | number>): Promise<number>;
  spearLogHistory(...keysThenArgs: Array<string | number>): Promise<string[]>;
}
