import type { Redis } from 'ioredis';

type Command = Parameters<Redis['sendCommand']>[0];
type Stream = Parameters<Redis['sendCommand']>[1];
type Socket = Redis['stream'];

/**
 * Makes the commands `redis` is given in one event-loop turn leave in one
 * socket write: the first command of a turn corks the socket and a
 * setImmediate uncorks it, so Node hands every command queued meanwhile to one
 * writev. Returns `redis`.
 *
 * Why not ioredis's auto-pipelining, which batches the same way: it builds a
 * Pipeline object per turn (a copy of every defined script's method) plus a
 * promise and a callback per command, and lets only one such pipeline be in
 * flight at a time; on a spear node that was a fifth of all allocations and
 * most of what survived young-generation GCs. On a Redis Cluster it is also
 * wrong under load: a turn's pipeline checks at send time that its keys still
 * map to one node, and when they do not (the slot map refreshed between the
 * turn and the send) every command in it fails with "All keys in the pipeline
 * should belong to the same slots allocation group" (seen as sends and acks
 * answered `internal` at 3,000–4,000 msgs/s on the cluster profile).
 * Corking keeps the syscall batching and none of that. On a cluster, call it
 * on every node connection (the cluster's `+node` event), with the cluster's
 * auto-pipelining off: each shard's socket is corked for the turn.
 *
 * Guarantee: the same as a plain connection's; commands go out in call
 * order, at the latest when the check phase of the loop runs the setImmediate
 * (for a command issued inside a setImmediate callback, the next
 * iteration's); with `busyWindowMs`, a busy connection's command waits at
 * most max(1 ms, busyWindowMs) (a timer's granularity) plus the loop's lag.
 * Only the connection's own socket is corked, and only while it is ready:
 * handshake commands are written as they come, and the offline
 * queue's flush on `ready` is batched like any other turn. An explicit
 * pipeline's one write joins the turn's batch in order. A socket closed while
 * corked loses nothing that a plain connection would keep: its commands are in
 * ioredis's command queue, resent or rejected as ioredis decides on close.
 *
 * Relies on ioredis 6's `sendCommand(command, stream)` and `stream` (pinned in
 * package.json). A `duplicate()` of `redis` is not batched: call this on it too.
 */
export function batchTurns<R extends Redis>(redis: R, options: TurnBatchOptions = {}): R {
  const busyWindowMs = options.busyWindowMs ?? 0;
  let corked: Socket | undefined;
  let lastWrite = -Infinity;
  // Made once per connection, not per turn: this runs on every hot path.
  const uncork = () => {
    const socket = corked;
    corked = undefined;
    if (busyWindowMs > 0) lastWrite = performance.now();
    socket?.uncork();
  };
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command: Command, stream?: Stream) => {
    if (stream === undefined && corked === undefined && redis.status === 'ready' && redis.stream?.writable) {
      corked = redis.stream;
      corked.cork();
      // Busy, as Nagle's algorithm means it: replies still outstanding and a write within the window.
      const since = busyWindowMs > 0 && redis.commandQueue.length > 0 ? performance.now() - lastWrite : Infinity;
      if (since >= busyWindowMs) setImmediate(uncork);
      else setTimeout(uncork, busyWindowMs - since);
    }
    return send(command, stream);
  };
  return redis;
}

/** Options of {@link batchTurns}. */
export interface TurnBatchOptions {
  /**
   * While busy, at most one write per this many ms (0, the default: every
   * turn writes). Busy as in Nagle's algorithm: replies are outstanding and
   * the last write was less than this long ago; such a turn stays corked
   * until the window ends, gathering the turns after it. Otherwise the turn
   * writes at its end, so a command awaited after another's reply never
   * waits. Why: Redis pays a read and a reply write per batch it receives,
   * ~20 times what a command costs inside a batch (docs/BENCHMARKS.md), so
   * fewer, larger batches under load cost Redis less; the price is up to
   * this much latency on a busy connection's commands.
   */
  busyWindowMs?: number;
}
