/**
 * One load-generator process, forked with IPC by ClientFleet (client-fleet.ts)
 * for every bench that drives socket.io clients at a system: the comparison
 * benches (bench/compare) and Spear's cross-node bench (bench/spear). A
 * coordinator runs several (the machine allows 20,000 file descriptors per
 * process), each connecting from its own loopback source address. The same
 * code drives Spear and the baseline B0; only `connect` differs (a ticket per
 * user for Spear, auth {uid} for B0).
 *
 * Times are `performance.timeOrigin + performance.now()`: epoch milliseconds
 * with sub-ms resolution on the machine's one clock, so a message sent by one
 * process and received by another is timed correctly (group fan-out).
 *
 * Requests, each answered once (protocol.ts):
 *   connect     every user at once, `concurrency` in flight; then pairs its own
 *               users for 1:1 traffic (pairing.ts)
 *   join        every user joins `group`
 *   direct      open-loop 1:1 sends at `rate` msgs/s round robin over the pairs, then a drain
 *   fanout      the publisher (if this worker has it) publishes to the group at
 *               `rate`; every member counts what it receives; then a drain
 *   sequential  one 1:1 message at a time, each waiting for its answer and its receipt
 *   verify      every 1:1 send the server acked was received (by id)
 *   collect     a full GC of this process, between steps
 *   stop        closes every socket and exits (also when the parent goes away)
 */
import { appendFileSync } from 'node:fs';
import type { Socket } from 'socket.io-client';
import { serveParent } from '../support/serve-parent';
import { SLOW_LOG_OVER_MS, slowLine } from '../compare/stall-report';
import { connectUser } from './connect-user';
import { encodeHistogram, newHistogram, recordMs, type Histogram } from './histogram';
import { ReceiverAcks, type AckingReceiver } from './ack-schedule';
import { DeliveryCheck, type SequenceState } from './delivery-check';
import { Answers, OpenLoop, type Answer } from './open-loop';
import { pairUp } from './pairing';
import type { ConnectReport, FromClients, ToClients } from './protocol';

interface Body {
  k: number;
  s: number;
  t: number;
  text: string;
}

interface User extends AckingReceiver, SequenceState {
  uid: string;
  node: string;
  socket: Socket;
  /** 1:1 role: the peer this user sends to, and its last sequence number sent (what it received: SequenceState). */
  to?: string;
  seq: number;
}

/** ~100 bytes of JSON per body, as a short chat message. */
const TEXT = 'the quick brown fox jumps over the lazy dog, twice: the quick brow';
/** BENCH_SLOW_LOG: a file each step appends its 1:1 messages slower than SLOW_LOG_OVER_MS to, for bench/compare/stall-report.ts. */
const SLOW_LOG = process.env.BENCH_SLOW_LOG;
const slowLines: string[] = [];
const flushSlowLines = () => SLOW_LOG && slowLines.length > 0 && appendFileSync(SLOW_LOG, slowLines.splice(0).join('\n') + '\n');
const now = () => performance.timeOrigin + performance.now();

const users: User[] = [];
const senders: User[] = [];
/** How this worker's receivers ack; made at the first `connect` (which says the delay) when receivers ack at all. */
let acks: ReceiverAcks<User> | undefined;
const check = new DeliveryCheck();
let disconnects = 0;
let stopping = false;

/** A step's receive bookkeeping. */
interface Step {
  k: number;
  /** When the step started (epoch ms): tells apart two systems' steps of the same number in a slow log. */
  startedAt: number;
  steadyFrom: number;
  steadyTo: number;
  received: number;
  receivedSteady: number;
  latency: Histogram;
  /** Acked 1:1 ids not received yet. */
  waiting: Set<string>;
  /** The sequential phase's one message in flight: resolved when it arrives. */
  awaited?: { from: string; s: number; arrived: () => void };
}
/** The step in progress. */
let current: Step | undefined;

function onReceive(body: Body, from?: string): void {
  const step = current;
  if (!step || body.k !== step.k) return;
  const t = now();
  step.received++;
  if (t >= step.steadyFrom && t <= step.steadyTo) step.receivedSteady++;
  recordMs(step.latency, t - body.t);
  // 1:1 only (`from` given): a fan-out step's deliveries are slow by design, and there are 10,000 per publish.
  if (SLOW_LOG && from !== undefined && t - body.t > SLOW_LOG_OVER_MS) slowLines.push(slowLine(step.k, step.startedAt, body.t, t));
  if (step.awaited && step.awaited.from === from && step.awaited.s === body.s) step.awaited.arrived();
}

function onMsg(u: User, m: { id: string; from: string; to: string; body: Body; seq?: number }): void {
  if (check.received(u, u.uid, { id: m.id, to: m.to, seq: m.body.s }) === 'duplicate') return;
  current?.waiting.delete(m.id);
  acks?.received(u, m.id, m.seq);
  onReceive(m.body, m.from);
}

async function connect(m: Extract<ToClients, { type: 'connect' }>): Promise<FromClients> {
  const start = now();
  // One per worker: a second connect (none of today's benches makes one) keeps it.
  if (m.ack) acks ??= new ReceiverAcks(m.ackDelayMs);
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
        socket.on('disconnect', () => stopping || disconnects++);
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
  const pairs = pairUp(users, m.pairing);
  senders.push(...pairs.senders);
  report.crossPairs = pairs.crossPairs;
  report.samePairs = pairs.samePairs;
  return { type: 'connected', ...report };
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

const newStep = (k: number, steadyFrom: number, steadyTo: number): Step => ({ k, startedAt: now(), steadyFrom, steadyTo, received: 0, receivedSteady: 0, latency: newHistogram(), waiting: new Set() });

/** Runs an open-loop schedule, then waits until every send is answered and `expected()` is received (or the drain ends). */
async function runStep(k: number, rate: number, seconds: number, drainMs: number, emitOne: (loop: OpenLoop) => void, expected: () => number): Promise<FromClients> {
  const start = now();
  const windowMs = seconds * 1000;
  const steadyFrom = start + Math.min(1000, windowMs / 4);
  const step = (current = newStep(k, steadyFrom, start + windowMs));
  const loop = new OpenLoop(rate, seconds);
  await loop.run(() => emitOne(loop));
  const windowLeft = start + windowMs - now();
  if (windowLeft > 0) await new Promise((r) => setTimeout(r, windowLeft));
  const drainEnd = now() + drainMs;
  const settled = () => loop.answered >= loop.sent && step.received >= expected() && step.waiting.size === 0;
  while (!settled() && now() < drainEnd) await new Promise((r) => setTimeout(r, 10));
  current = undefined;
  flushSlowLines();
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

/** Sends one 1:1 message from `s` to its peer; `after` runs on the server's answer, whatever it is. */
function sendDirect(s: User, k: number, answers: Answers, after?: () => void): void {
  const to = s.to!;
  const onAnswer = answers.answer((id) => {
    if (check.acked(id)) current?.waiting.add(id);
  });
  const body: Body = { k, s: ++s.seq, t: now(), text: TEXT };
  s.socket.emit('send', { to, body }, after ? (a: Answer) => (onAnswer(a), after()) : onAnswer);
}

function direct(m: Extract<ToClients, { type: 'direct' }>): Promise<FromClients> {
  let rr = 0;
  const share = m.share ?? 1;
  // Every 1/share-th pair: the pairs list cross-node pairs first, and the few must be mixed like the many.
  const active = share >= 1 ? senders : senders.filter((_, i) => Math.floor((i + 1) * share) > Math.floor(i * share));
  const emitOne = (loop: OpenLoop) => sendDirect(active[rr++ % active.length]!, m.k, loop);
  // Every acked message must arrive: `waiting` holds the acked ids not received yet.
  return runStep(m.k, active.length > 0 ? m.rate : 0, m.seconds, m.drainMs, emitOne, () => 0);
}

/** One message at a time, rotating over the senders; each waits for its answer and its receipt, at most `timeoutMs`. */
async function sequential(m: Extract<ToClients, { type: 'sequential' }>): Promise<FromClients> {
  const step = (current = newStep(m.k, now(), Infinity));
  const answers = new Answers();
  const ackLatency = newHistogram();
  let timeouts = 0;
  for (let i = 0; i < m.count && senders.length > 0; i++) {
    const s = senders[i % senders.length]!;
    const t = now();
    const arrived = new Promise<void>((resolve) => (step.awaited = { from: s.uid, s: s.seq + 1, arrived: resolve }));
    const answered = new Promise<void>((resolve) =>
      sendDirect(s, m.k, answers, () => {
        recordMs(ackLatency, now() - t);
        resolve();
      }),
    );
    answers.sent++;
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([Promise.all([arrived, answered]).then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), m.timeoutMs)))]);
    clearTimeout(timer);
    if (late) timeouts++;
  }
  current = undefined;
  flushSlowLines();
  const { sent, acked, refused } = answers;
  return { type: 'sequential', sent, acked, refused, timeouts, latency: encodeHistogram(step.latency), ackLatency: encodeHistogram(ackLatency) };
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
  const deadline = now() + waitMs;
  while (check.acks.lost > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { type: 'verify', ...check.acks, ...check.counters, disconnects };
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
    case 'sequential':
      return sequential(m);
    case 'verify':
      return verify(m.waitMs);
    case 'collect':
      // A full GC (the fleet forks this process with --expose-gc; see ClientFleet.collect).
      globalThis.gc?.();
      return { type: 'collected' };
    case 'stop':
      acks?.flushAll();
      await new Promise((r) => setTimeout(r, 100));
      stopping = true;
      for (const u of users) u.socket.close();
      return { type: 'stopped' };
  }
}

serveParent<ToClients>('bench/clients/client-worker.ts', handle);
