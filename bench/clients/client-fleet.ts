/**
 * The coordinator's side of the load generators: W client-worker processes,
 * each with its own loopback source address (127.0.0.2, .3, ...) and a
 * contiguous block of the users. Every request goes to all of them at once
 * (the sequential phase only to the first); the answers are merged (counts
 * summed, HDR histograms merged, the slowest worker's time taken).
 */
import { join } from 'node:path';
import { DEFAULT_ACK_DELAY_MS } from '@spear/client';
import { IpcChild } from '../support/ipc-child';
import { latencyMs, mergeHistograms, type LatencyMs } from './histogram';
import type { ConnectReport, Connector, FromClients, Pairing, StepReport, ToClients, VerifyReport } from './protocol';

type Child = IpcChild<ToClients, FromClients>;

/**
 * Receivers ack as an app on @spear/client does by default: `ackDelayMs`
 * after the first message not yet acked, one `ack {upTo}` for all of them
 * (`ack {ids}` in chunks of 1,000 after a hole). BENCH_ACK_DELAY_MS sets another delay (20 was the
 * benches' until 2026-12-05: about one ack per message at these rates).
 */
const ACK_DELAY_MS = ackDelayFromEnv(process.env['BENCH_ACK_DELAY_MS']);

function ackDelayFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_ACK_DELAY_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) throw new Error(`BENCH_ACK_DELAY_MS must be an integer of ms in [0, 60000], got ${JSON.stringify(raw)}`);
  return ms;
}

/** What the clients need to know about the system they load. */
export interface ClientTarget {
  connector: Connector;
  /** Whether receivers ack 1:1 messages (Spear's inbox needs it; B0 has no inbox). */
  acks: boolean;
}

export interface ConnectResult {
  connected: number;
  failed: number;
  firstError?: string;
  /** Until every client was ready (or failed), ms; each client's time to ready. */
  allReadyMs: number;
  readyMs: LatencyMs;
  nodes: Record<string, number>;
  crossPairs: number;
  samePairs: number;
  /** CPUs used per process while connecting (set by the caller). */
  cpu?: Record<string, number>;
}

export interface StepResult {
  sent: number;
  acked: number;
  refused: Record<string, number>;
  received: number;
  /** Messages received per second in the steady part of the window (after its ramp-in). */
  deliveredPerSecond: number;
  unsettled: number;
  undelivered: number;
  latency: LatencyMs;
  maxLagMs: number;
}

export interface SequentialResult {
  sent: number;
  acked: number;
  refused: Record<string, number>;
  timeouts: number;
  /** Send → receipt, and send → the server's answer. */
  latency: LatencyMs;
  ackLatency: LatencyMs;
}

const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);

function sumCounts(records: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [key, n] of Object.entries(r)) out[key] = (out[key] ?? 0) + n;
  return out;
}

export class ClientFleet {
  private constructor(readonly workers: Child[]) {}

  static async start(count: number): Promise<ClientFleet> {
    const workers = await Promise.all(Array.from({ length: count }, () => IpcChild.start<ToClients, FromClients>(join(__dirname, 'client-worker.ts'), 'client worker', {}, ['--expose-gc'])));
    return new ClientFleet(workers);
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  /** Connects `uids` to `target`, all at once (`concurrency` in flight per worker), and pairs them for 1:1 traffic. */
  async connect(target: ClientTarget, uids: string[], concurrency: number, pairing: Pairing = 'mixed'): Promise<ConnectResult> {
    const share = Math.ceil(uids.length / this.workers.length);
    const reports: ConnectReport[] = await Promise.all(
      this.workers.map((w, i) => {
        const users = uids.slice(i * share, (i + 1) * share).map((uid, j) => ({ uid, index: i * share + j }));
        return w.request({ type: 'connect', connector: target.connector, users, localAddress: `127.0.0.${i + 2}`, concurrency, ack: target.acks, ackDelayMs: ACK_DELAY_MS, pairing }, 'connected');
      }),
    );
    await this.collect();
    return {
      connected: sum(reports, (r) => r.connected),
      failed: sum(reports, (r) => r.failed),
      firstError: reports.find((r) => r.firstError)?.firstError,
      allReadyMs: Math.max(...reports.map((r) => r.ms)),
      readyMs: latencyMs(mergeHistograms(reports.map((r) => r.readyMs))),
      nodes: sumCounts(reports.map((r) => r.nodes)),
      crossPairs: sum(reports, (r) => r.crossPairs),
      samePairs: sum(reports, (r) => r.samePairs),
    };
  }

  async join(group: string): Promise<{ members: number; failed: number }> {
    const replies = await Promise.all(this.workers.map((w) => w.request({ type: 'join', group }, 'joined')));
    return { members: sum(replies, (r) => r.members), failed: sum(replies, (r) => r.failed) };
  }

  /** 1:1 traffic at `rate` msgs/s in total, split evenly over the workers; `share` < 1: over only that share of each worker's pairs. */
  direct(k: number, rate: number, seconds: number, drainMs: number, share = 1): Promise<StepResult> {
    return this.step(() => ({ type: 'direct', k, rate: rate / this.workers.length, seconds, drainMs, ...(share < 1 ? { share } : {}) }));
  }

  /** One publisher (in the first worker) publishing to `group` at `rate` msgs/s. */
  fanout(k: number, group: string, rate: number, seconds: number, drainMs: number): Promise<StepResult> {
    return this.step((i) => ({ type: 'fanout', k, group, rate, seconds, drainMs, publish: i === 0 }));
  }

  /** `count` 1:1 messages one at a time (from the first worker's senders), each waiting for its answer and receipt, at most `timeoutMs`. */
  async sequential(k: number, count: number, timeoutMs: number): Promise<SequentialResult> {
    const r = await this.workers[0]!.request({ type: 'sequential', k, count, timeoutMs }, 'sequential');
    await this.collect();
    return { sent: r.sent, acked: r.acked, refused: r.refused, timeouts: r.timeouts, latency: latencyMs(mergeHistograms([r.latency])), ackLatency: latencyMs(mergeHistograms([r.ackLatency])) };
  }

  private async step(request: (i: number) => ToClients): Promise<StepResult> {
    const replies: StepReport[] = await Promise.all(this.workers.map((w, i) => w.request(request(i), 'step')));
    await this.collect();
    return {
      sent: sum(replies, (r) => r.sent),
      acked: sum(replies, (r) => r.acked),
      refused: sumCounts(replies.map((r) => r.refused)),
      received: sum(replies, (r) => r.received),
      deliveredPerSecond: Math.round(sum(replies, (r) => (r.steadyMs > 0 ? (r.receivedSteady / r.steadyMs) * 1000 : 0))),
      unsettled: sum(replies, (r) => r.unsettled),
      undelivered: sum(replies, (r) => r.undelivered),
      latency: latencyMs(mergeHistograms(replies.map((r) => r.latency))),
      maxLagMs: Math.max(...replies.map((r) => r.maxLagMs)),
    };
  }

  /**
   * A full GC in every worker, once every worker has answered a step (so
   * none collects while another still times its last receipts): each step
   * then starts from a collected heap. A worker's old generation grows
   * ~0.6 MB/s under traffic (each socket's last frame outlives a scavenge,
   * as on the servers), and left alone its major GCs, of up to 116 ms, fell
   * into whichever step a run's length put them in: seen in the Kafka bus's
   * steps after its 90 s warm-up. The step's machine and load-generator CPU
   * include this GC; the servers idle through it.
   */
  private async collect(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request({ type: 'collect' }, 'collected')));
  }

  async verify(waitMs: number): Promise<VerifyReport> {
    const replies = await Promise.all(this.workers.map((w) => w.request({ type: 'verify', waitMs }, 'verify')));
    return {
      acked: sum(replies, (r) => r.acked),
      lost: sum(replies, (r) => r.lost),
      duplicates: sum(replies, (r) => r.duplicates),
      misrouted: sum(replies, (r) => r.misrouted),
      orderViolations: sum(replies, (r) => r.orderViolations),
      disconnects: sum(replies, (r) => r.disconnects),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}
