/**
 * One load-generator process of the comparison benches (bench/compare/run.ts),
 * forked with IPC; the coordinator runs several (the machine allows 20,000
 * file descriptors per process), each connecting from its own loopback source
 * address. The same code drives Spear and the baseline B0; only `connect`
 * differs (a ticket per user for Spear, auth {uid} for B0).
 *
 * Times are `performance.timeOrigin + performance.now()`: epoch milliseconds
 * with sub-ms resolution on the machine's one clock, so a message sent by one
 * process and received by another is timed correctly (group fan-out).
 *
 * Requests, each answered once (see ToClients / FromClients):
 *   connect  every user at once, `concurrency` in flight; then pairs its own
 *            users for 1:1 traffic, half the pairs across nodes
 *   join     every user joins `group`
 *   direct   open-loop 1:1 sends at `rate` msgs/s round robin over the pairs, then a drain
 *   fanout   the publisher (if this worker has it) publishes to the group at
 *            `rate`; every member counts what it receives; then a drain
 *   verify   every 1:1 send the server acked was received (by id)
 *   stop     closes every socket and exits (also when the parent goes away)
 */
import type { Socket } from 'socket.io-client';
import { connectUser, type Connector } from './connect-user';
import { encodeHistogram, newHistogram, recordMs } from './histogram';
import { OpenLoop } from './open-loop';
import { serveParent } from '../support/serve-parent';

export type { Connector } from './connect-user';

export type ToClients =
  | { type: 'connect'; connector: Connector; users: Array<{ uid: string; index: number }>; localAddress: string; concurrency: number; ack: boolean }
  | { type: 'join'; group: string }
  | { type: 'direct'; k: number; rate: number; seconds: number; drainMs: number }
  | { type: 'fanout'; k: number; group: string; rate: number; seconds: number; drainMs: number; publish: boolean }
  | { type: 'verify'; waitMs: number }
  | { type: 'stop' };

export interface ConnectReport {
  connected: number;
  failed: number;
  firstError?: string;
  /** From the request to the last ready (or failure), ms; and each connection's time to ready. */
  ms: number;
  readyMs: string;
  nodes: Record<string, number>;
  crossPairs: number;
  samePairs: number;
}

export interface StepReport {
  sent: number;
  acked: number;
  refused: Record<string, number>;
  /** Received in total, and within the window after its ramp-in (`steadyMs` long). */
  received: number;
  receivedSteady: number;
  steadyMs: number;
  /** After the drain: sends never answered, and messages expected but not (yet) received. */
  unsettled: number;
  undelivered: number;
  latency: string;
  maxLagMs: number;
}

export interface VerifyReport {
  acked: number;
  lost: number;
  duplicates: number;
  misrouted: number;
  orderViolations: number;
  disconnects: number;
}

export type FromClients =
  | { type: 'ready' }
  | ({ type: 'connected' } & ConnectReport)
  | { type: 'joined'; members: number; failed: number }
  | ({ type: 'step' } & StepReport)
  | ({ type: 'verify' } & VerifyReport)
  | { type: 'stopped' }
  | { type: 'error'; message: string };

interface Body {
  k: number;
  s: number;
  t: number;
  text: string;
}

interface User {
  uid: string;
  node: string;
  socket: Socket;
  /** 1:1 role: the peer this user sends to, and the last sequence number received from its sender. */
  to?: string;
  seq: number;
  lastSeq: number;
  pendingAcks: string[];
}

/** ~100 bytes of JSON per body, as a short chat message. */
const TEXT = 'the quick brown fox jumps over the lazy dog, twice: the quick brow';
const ACK_FLUSH_MS = 20;
const ACK_BATCH = 100;
const now = () => performance.timeOrigin + performance.now();

const users: User[] = [];
const senders: User[] = [];
const withPendingAcks = new Set<User>();
const ackedIds = new Map<string, string>();
const receivedIds = new Set<string>();
const counters = { duplicates: 0, misrouted: 0, orderViolations: 0, disconnects: 0 };
let sendsAcks = false;
let stopping = false;
/** The step in progress and its receive bookkeeping. */
let current: { k: number; steadyFrom: number; steadyTo: number; received: number; receivedSteady: number; latency: ReturnType<typeof newHistogram>; waiting: Set<string> } | undefined;

function onReceive(body: Body): void {
  const step = current;
  if (!step || body.k !== step.k) return;
  const t = now();
  step.received++;
  if (t >= step.steadyFrom && t <= step.steadyTo) step.receivedSteady++;
  recordMs(step.latency, t - body.t);
}

function onMsg(u: User, m: { id: string; from: string; to: string; body: Body }): void {
  if (receivedIds.has(m.id)) {
    counters.duplicates++;
    return;
  }
  receivedIds.add(m.id);
  if (m.to !== u.uid) counters.misrouted++;
  if (m.body.s <= u.lastSeq) counters.orderViolations++;
  u.lastSeq = m.body.s;
  current?.waiting.delete(m.id);
  if (sendsAcks) {
    u.pendingAcks.push(m.id);
    withPendingAcks.add(u);
    if (u.pendingAcks.length >= ACK_BATCH) flushAcks(u);
  }
  onReceive(m.body);
}

function flushAcks(u: User): void {
  withPendingAcks.delete(u);
  if (u.pendingAcks.length === 0 || !u.socket.connected) return;
  const ids = u.pendingAcks;
  u.pendingAcks = [];
  u.socket.emit('ack', { ids });
}

async function connect(m: Extract<ToClients, { type: 'connect' }>): Promise<FromClients> {
  const start = now();
  sendsAcks = m.ack;
  const readyMs = newHistogram();
  const report: ConnectReport = { connected: 0, failed: 0, ms: 0, readyMs: '', nodes: {}, crossPairs: 0, samePairs: 0 };
  let next = 0;
  const lane = async () => {
    while (next < m.users.length) {
      const spec = m.users[next++]!;
      try {
        const { socket, node } = await connectUser(m.connector, spec, m.localAddress);
        const u: User = { uid: spec.uid, node, socket, seq: 0, lastSeq: 0, pendingAcks: [] };
        socket.on('msg', (msg: { id: string; from: string; to: string; body: Body }) => onMsg(u, msg));
        socket.on('group', (msg: { body: Body }) => onReceive(msg.body));
        socket.on('disconnect', () => stopping || counters.disconnects++);
        users.push(u);
        report.connected++;
        report.nodes[node] = (report.nodes[node] ?? 0) + 1;
        recordMs(readyMs, now() - start);
      } catch (error) {
        report.failed++;
        report.firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: m.concurrency }, lane));
  report.ms = Math.round(now() - start);
  report.readyMs = encodeHistogram(readyMs);
  pairUp(report);
  setInterval(() => withPendingAcks.forEach(flushAcks), ACK_FLUSH_MS).unref();
  return { type: 'connected', ...report };
}

/** Pairs this worker's users: half the pairs with both ends on different nodes, half on the same node. */
function pairUp(report: ConnectReport): void {
  const perNode = new Map<string, User[]>();
  for (const u of users) perNode.set(u.node, [...(perNode.get(u.node) ?? []), u]);
  const [a = [], b = []] = [...perNode.values()];
  const cross = Math.min(a.length, b.length, Math.floor(users.length / 4));
  const link = (from: User, to: User) => {
    from.to = to.uid;
    senders.push(from);
  };
  // Half of the crossing pairs send one way, half the other.
  for (let i = 0; i < cross; i++) {
    if (i % 2 === 0) link(a[i]!, b[i]!);
    else link(b[i]!, a[i]!);
  }
  report.crossPairs = cross;
  for (const rest of [a.slice(cross), b.slice(cross), ...[...perNode.values()].slice(2)]) {
    for (let i = 0; i + 1 < rest.length; i += 2) link(rest[i]!, rest[i + 1]!);
  }
  report.samePairs = senders.length - cross;
}

async function join(group: string): Promise<FromClients> {
  let members = 0;
  let failed = 0;
  let next = 0;
  const lane = async () => {
    while (next < users.length) {
      const u = users[next++]!;
      const a = await u.socket.timeout(30_000).emitWithAck('join', { group }).catch(() => ({ ok: false }));
      if ((a as { ok: boolean }).ok) members++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: 200 }, lane));
  return { type: 'joined', members, failed };
}

/** Runs an open-loop schedule, then waits until every send is answered and `expected()` is received (or the drain ends). */
async function runStep(k: number, rate: number, seconds: number, drainMs: number, emitOne: (loop: OpenLoop) => void, expected: () => number): Promise<FromClients> {
  const start = now();
  const windowMs = seconds * 1000;
  const steadyFrom = start + Math.min(1000, windowMs / 4);
  const step = (current = { k, steadyFrom, steadyTo: start + windowMs, received: 0, receivedSteady: 0, latency: newHistogram(), waiting: new Set<string>() });
  const loop = new OpenLoop(rate, seconds);
  await loop.run(() => emitOne(loop));
  const windowLeft = start + windowMs - now();
  if (windowLeft > 0) await new Promise((r) => setTimeout(r, windowLeft));
  const drainEnd = now() + drainMs;
  const settled = () => loop.answered >= loop.sent && step.received >= expected() && step.waiting.size === 0;
  while (!settled() && now() < drainEnd) await new Promise((r) => setTimeout(r, 10));
  current = undefined;
  return {
    type: 'step',
    sent: loop.sent,
    acked: loop.acked,
    refused: loop.refused,
    received: step.received,
    receivedSteady: step.receivedSteady,
    steadyMs: step.steadyTo - steadyFrom,
    unsettled: loop.sent - loop.answered,
    undelivered: Math.max(step.waiting.size, expected() - step.received),
    latency: encodeHistogram(step.latency),
    maxLagMs: Math.round(loop.maxLagMs),
  };
}

function direct(m: Extract<ToClients, { type: 'direct' }>): Promise<FromClients> {
  let rr = 0;
  const emitOne = (loop: OpenLoop) => {
    const s = senders[rr++ % senders.length]!;
    const body: Body = { k: m.k, s: ++s.seq, t: now(), text: TEXT };
    const to = s.to!;
    s.socket.emit('send', { to, body }, loop.answer((id) => {
      ackedIds.set(id, to);
      if (!receivedIds.has(id)) current?.waiting.add(id);
    }));
  };
  // Every acked message must arrive: `waiting` holds the acked ids not received yet.
  return runStep(m.k, senders.length > 0 ? m.rate : 0, m.seconds, m.drainMs, emitOne, () => 0);
}

function fanout(m: Extract<ToClients, { type: 'fanout' }>): Promise<FromClients> {
  const publisher = users[0];
  let seq = 0;
  const emitOne = (loop: OpenLoop) => publisher!.socket.emit('publish', { group: m.group, body: { k: m.k, s: ++seq, t: now(), text: TEXT } satisfies Body }, loop.answer());
  // Every member of this worker receives every published message.
  const expected = () => Math.round(m.rate * m.seconds) * users.length;
  return runStep(m.k, m.publish && publisher ? m.rate : 0, m.seconds, m.drainMs, emitOne, expected);
}

async function verify(waitMs: number): Promise<FromClients> {
  const lost = () => [...ackedIds.keys()].filter((id) => !receivedIds.has(id)).length;
  const deadline = now() + waitMs;
  while (lost() > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { type: 'verify', acked: ackedIds.size, lost: lost(), ...counters };
}

async function handle(m: ToClients): Promise<FromClients> {
  switch (m.type) {
    case 'connect':
      return connect(m);
    case 'join':
      return join(m.group);
    case 'direct':
      return direct(m);
    case 'fanout':
      return fanout(m);
    case 'verify':
      return verify(m.waitMs);
    case 'stop':
      withPendingAcks.forEach(flushAcks);
      await new Promise((r) => setTimeout(r, 100));
      stopping = true;
      for (const u of users) u.socket.close();
      return { type: 'stopped' };
  }
}

serveParent<ToClients>('bench/compare/client-worker.ts', handle);
