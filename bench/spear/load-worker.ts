/**
 * The load generator of bench/spear/cross-node.bench.ts, run as a child
 * process (forked with IPC, advanced serialization) so that the sockets, the
 * send schedule and the latency bookkeeping do not share an event loop with
 * the bench's coordinator.
 *
 * It holds both ends of its pairs: each sender socket is on one spear node,
 * its receiver on the other. Every message body carries the step it belongs
 * to, the sender's sequence number and the send time (this process's
 * performance.now()), so send→receive latency is measured on one clock.
 * Receivers ack what they get (`ack {ids}`), batched per receiver every
 * ACK_FLUSH_MS or every ACK_BATCH ids.
 *
 * Requests from the parent (one at a time, each answered once):
 *   connect     fresh tickets from ticket, one socket.io connection per user
 *   sequential  one message at a time (send, wait for receipt and send ack)
 *   step        an open-loop schedule of `rate` msgs/s for `seconds`, then a
 *               drain (every send acked by the server, every acked message received)
 *   verify      every send the server acked was received (by message id)
 *   stop        flushes acks, closes every socket, exits
 * Exits when the parent goes away (its IPC channel closes).
 */
import { io, type Socket } from 'socket.io-client';
import { serveParent } from '../support/serve-parent';
import type { FromWorker, PairSpec, ToWorker, UserSpec } from './load-protocol';

/** The body each message carries: step (-1 for the sequential phase), sender sequence, send time, padding. */
interface Body {
  k: number;
  s: number;
  t: number;
  text: string;
}

interface Msg {
  id: string;
  from: string;
  to: string;
  body: Body;
}

type SendAck = { ok: true; id: string; ts: number } | { ok: false; error: { code: string } };

const ACK_FLUSH_MS = 20;
const ACK_BATCH = 100;
const CONNECT_CONCURRENCY = 16;
/** ~100 bytes of JSON per body, as a short chat message. */
const TEXT = 'the quick brown fox jumps over the lazy dog, twice: the quick brow';

interface Receiver {
  uid: string;
  socket: Socket;
  pendingAcks: string[];
  lastSeq: number;
  from: string;
}

interface Sender {
  uid: string;
  to: string;
  socket: Socket;
  seq: number;
}

interface StepState {
  step: number;
  start: number;
  end: number;
  sent: number;
  acked: number;
  ackedInWindow: number;
  refused: Record<string, number>;
  received: number;
  receivedInWindow: number;
  receivedSteady: number;
  steadyFrom: number;
  latency: number[];
  ackLatency: number[];
  /** Acked ids of this step not received yet. */
  waiting: Set<string>;
}

const senders: Sender[] = [];
const receivers = new Map<string, Receiver>();
const sockets: Socket[] = [];
/** Every id acked by the server, with its recipient; and every id received. */
const ackedIds = new Map<string, string>();
const receivedIds = new Set<string>();
const steps = new Map<number, StepState>();
let duplicates = 0;
let misrouted = 0;
let orderViolations = 0;
let ackErrors = 0;
let disconnects = 0;
let migrates = 0;
let stopping = false;
/** The sequential phase's one outstanding message: resolved on receipt. */
let sequentialWait: { seq: number; from: string; resolve: () => void } | undefined;


function newStep(step: number, start: number, end: number, steadyFrom = start): StepState {
  const s: StepState = { step, start, end, sent: 0, acked: 0, ackedInWindow: 0, refused: {}, received: 0, receivedInWindow: 0, receivedSteady: 0, steadyFrom, latency: [], ackLatency: [], waiting: new Set() };
  steps.set(step, s);
  return s;
}

function onMsg(r: Receiver, m: Msg): void {
  const now = performance.now();
  if (receivedIds.has(m.id)) {
    duplicates++;
    return;
  }
  receivedIds.add(m.id);
  r.pendingAcks.push(m.id);
  if (r.pendingAcks.length >= ACK_BATCH) flushAcks(r);
  if (m.to !== r.uid || m.from !== r.from) misrouted++;
  const body = m.body;
  if (body.s <= r.lastSeq) orderViolations++;
  r.lastSeq = body.s;
  if (sequentialWait && body.k === -1 && body.s === sequentialWait.seq && m.from === sequentialWait.from) {
    const done = sequentialWait.resolve;
    sequentialWait = undefined;
    latencyOf(-1)?.latency.push(now - body.t);
    done();
    return;
  }
  const step = steps.get(body.k);
  if (!step) return;
  step.received++;
  if (now <= step.end) {
    step.receivedInWindow++;
    if (now >= step.steadyFrom) step.receivedSteady++;
  }
  step.latency.push(now - body.t);
  step.waiting.delete(m.id);
}

const latencyOf = (k: number) => steps.get(k);

function flushAcks(r: Receiver): void {
  if (r.pendingAcks.length === 0 || !r.socket.connected) return;
  const ids = r.pendingAcks;
  r.pendingAcks = [];
  r.socket.emit('ack', { ids }, (a: { ok: boolean }) => {
    if (!a?.ok) ackErrors++;
  });
}

const flushAll = () => {
  for (const r of receivers.values()) flushAcks(r);
};

/** Emits one send; `onAck` gets the server's answer. */
function emitSend(s: Sender, k: number, onAck: (a: SendAck, ackMs: number) => void): number {
  const seq = ++s.seq;
  const t = performance.now();
  s.socket.emit('send', { to: s.to, body: { k, s: seq, t, text: TEXT } satisfies Body }, (a: SendAck) => onAck(a, performance.now() - t));
  return seq;
}

// ---------------------------------------------------------------------------

async function ticketFor(ticketUrl: string, user: UserSpec): Promise<{ ticket: string; url: string }> {
  const res = await fetch(`${ticketUrl}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: user.uid, token: user.token }) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`ticket for ${user.uid}: HTTP ${res.status} ${text}`);
  const body = JSON.parse(text) as { ticket: string; node: { id: string; url: string } };
  if (body.node.id !== user.node) throw new Error(`ticket for ${user.uid} names ${body.node.id}, earlier ${user.node}: the ring changed`);
  return { ticket: body.ticket, url: body.node.url };
}

async function connectOne(ticketUrl: string, user: UserSpec, onSocket: (socket: Socket) => void): Promise<Socket> {
  const { ticket, url } = await ticketFor(ticketUrl, user);
  const socket = io(url, { auth: { ticket }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  onSocket(socket);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${user.uid}: no ready within 15 s`)), 15_000);
    socket.once('ready', (ready: { uid: string; node: string }) => {
      clearTimeout(timer);
      if (ready.uid !== user.uid || ready.node !== user.node) reject(new Error(`${user.uid}: ready ${JSON.stringify(ready)}, expected node ${user.node}`));
      else resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${user.uid}: connect_error ${error.message}`));
    });
  });
  socket.on('disconnect', () => {
    if (!stopping) disconnects++;
  });
  socket.on('migrate', () => migrates++);
  return socket;
}

async function connect(ticketUrl: string, pairs: PairSpec[]): Promise<FromWorker> {
  const t0 = performance.now();
  const jobs: Array<() => Promise<unknown>> = [];
  for (const pair of pairs) {
    // Receivers first in the queue, so that each is registered before traffic starts (it is anyway: no send before all are ready).
    jobs.push(async () => {
      const r: Receiver = { uid: pair.receiver.uid, socket: undefined as unknown as Socket, pendingAcks: [], lastSeq: 0, from: pair.sender.uid };
      r.socket = await connectOne(ticketUrl, pair.receiver, (socket) => socket.on('msg', (m: Msg) => onMsg(r, m)));
      receivers.set(r.uid, r);
    });
    jobs.push(async () => {
      const socket = await connectOne(ticketUrl, pair.sender, (sk) => sk.on('msg', () => misrouted++));
      senders.push({ uid: pair.sender.uid, to: pair.receiver.uid, socket, seq: 0 });
    });
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECT_CONCURRENCY }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
  // Keep a stable order (pairs as given) for the round robin.
  const order = new Map(pairs.map((p, i) => [p.sender.uid, i]));
  senders.sort((a, b) => order.get(a.uid)! - order.get(b.uid)!);
  setInterval(flushAll, ACK_FLUSH_MS).unref();
  return { type: 'connected', sockets: sockets.length, ms: Math.round(performance.now() - t0) };
}

/** One message at a time, rotating over the pairs: wait for both its receipt and its send ack. */
async function sequential(count: number): Promise<FromWorker> {
  const state = newStep(-1, performance.now(), Infinity);
  let timeouts = 0;
  for (let i = 0; i < count; i++) {
    const s = senders[i % senders.length]!;
    let acked!: () => void;
    const ack = new Promise<void>((resolve) => (acked = resolve));
    const receivedP = new Promise<void>((resolve) => (sequentialWait = { seq: s.seq + 1, from: s.uid, resolve }));
    emitSend(s, -1, (a, ms) => {
      state.ackLatency.push(ms);
      if (a.ok) ackedIds.set(a.id, s.to);
      else state.refused[a.error.code] = (state.refused[a.error.code] ?? 0) + 1;
      acked();
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([Promise.all([ack, receivedP]).then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 5000)))]);
    clearTimeout(timer);
    if (timedOut) {
      timeouts++;
      sequentialWait = undefined;
    }
  }
  steps.delete(-1);
  return { type: 'sequential', latency: Float64Array.from(state.latency), ackLatency: Float64Array.from(state.ackLatency), timeouts };
}

/** Open loop: at every timer tick, emits as many sends as the schedule says are due, round robin over the senders. */
async function step(k: number, rate: number, seconds: number, drainMs: number): Promise<FromWorker> {
  const start = performance.now();
  const windowMs = seconds * 1000;
  // The first second (at most a quarter of the window) is the ramp-in: nothing sent yet has had time to arrive.
  const steadyFrom = start + Math.min(1000, windowMs / 4);
  const state = newStep(k, start, start + windowMs, steadyFrom);
  const total = Math.round(rate * seconds);
  let rr = 0;
  let maxLagMs = 0;
  const onAck = (to: string) => (a: SendAck, ms: number) => {
    state.ackLatency.push(ms);
    if (a.ok) {
      state.acked++;
      if (performance.now() <= state.end) state.ackedInWindow++;
      ackedIds.set(a.id, to);
      if (!receivedIds.has(a.id)) state.waiting.add(a.id);
    } else {
      state.refused[a.error.code] = (state.refused[a.error.code] ?? 0) + 1;
    }
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) / 1000) * rate));
      if (due - state.sent > 1) maxLagMs = Math.max(maxLagMs, ((due - state.sent - 1) / rate) * 1000);
      while (state.sent < due) {
        const s = senders[rr++ % senders.length]!;
        emitSend(s, k, onAck(s.to));
        state.sent++;
      }
      if (state.sent >= total || now >= start + windowMs) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 1);
  });
  // The window ends on the clock, not on the last send.
  const windowLeft = start + windowMs - performance.now();
  if (windowLeft > 0) await new Promise((r) => setTimeout(r, windowLeft));
  const drainStart = performance.now();
  const settled = () => state.acked + refusedCount(state) >= state.sent && state.waiting.size === 0;
  while (!settled() && performance.now() - drainStart < drainMs) await new Promise((r) => setTimeout(r, 10));
  const report: FromWorker = {
    type: 'step',
    step: k,
    sent: state.sent,
    acked: state.acked,
    refused: state.refused,
    received: state.received,
    receivedInWindow: state.receivedInWindow,
    receivedSteady: state.receivedSteady,
    steadyMs: start + windowMs - steadyFrom,
    ackedInWindow: state.ackedInWindow,
    windowMs,
    drainMs: Math.round(performance.now() - drainStart),
    unsettled: state.sent - state.acked - refusedCount(state),
    undelivered: state.waiting.size,
    latency: Float64Array.from(state.latency),
    ackLatency: Float64Array.from(state.ackLatency),
    maxLagMs: Math.round(maxLagMs * 10) / 10,
  };
  // Late arrivals still count for the loss check, not for this step's figures.
  steps.delete(k);
  return report;
}

const refusedCount = (s: StepState) => Object.values(s.refused).reduce((a, b) => a + b, 0);

async function verify(waitMs: number): Promise<FromWorker> {
  const missing = () => {
    const out: string[] = [];
    for (const id of ackedIds.keys()) if (!receivedIds.has(id)) out.push(id);
    return out;
  };
  const deadline = performance.now() + waitMs;
  let lost = missing();
  while (lost.length > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    lost = missing();
  }
  let unknown = 0;
  for (const id of receivedIds) if (!ackedIds.has(id)) unknown++;
  return {
    type: 'verify',
    acked: ackedIds.size,
    received: receivedIds.size,
    lost: lost.length,
    lostSample: lost.slice(0, 5),
    duplicates,
    misrouted,
    unknown,
    orderViolations,
    ackErrors,
    disconnects,
    migrates,
  };
}

async function stop(): Promise<void> {
  flushAll();
  // Give the last acks a moment to leave before the sockets close.
  await new Promise((r) => setTimeout(r, 100));
  stopping = true;
  for (const socket of sockets) socket.close();
}

async function handle(m: ToWorker): Promise<FromWorker> {
  switch (m.type) {
    case 'connect':
      return connect(m.ticketUrl, m.pairs);
    case 'sequential':
      return sequential(m.count);
    case 'step':
      return step(m.step, m.rate, m.seconds, m.drainMs);
    case 'verify':
      return verify(m.waitMs);
    case 'stop':
      await stop();
      return { type: 'stopped' };
  }
}

serveParent<ToWorker>('bench/spear/load-worker.ts', handle);
