import { randomBytes } from 'node:crypto';
import type { CallStats, RpcMetrics } from '@spear/rpc';
import { BoundedSender, type SenderLogger } from './bounded-sender';
import { MAX_STAT_SEQ, STAT_METHODS, STAT_SERVICE, type NodeMetric, type NodeReport, type RpcStatsBatch, type StatSource } from './contract';

/** The part of RpcClient a shipper uses. */
export interface StatRpc {
  call<T>(service: string, method: string, data: unknown, options?: { timeoutMs?: number }): Promise<T>;
}

export interface ShipperOptions {
  rpc: StatRpc;
  app: StatSource['app'];
  /** host:port of the process's HTTP listener. */
  instance: string;
  intervalMs: number;
  /** Batches kept while stat is unreachable. */
  capacity: number;
  logger?: SenderLogger;
  /** The last seq of a boot before the next one starts (default MAX_STAT_SEQ, what stat accepts). */
  maxSeq?: number;
}

/** A periodic sender: builds one payload per interval and hands it to a BoundedSender. */
export interface Shipper {
  readonly sender: BoundedSender<unknown>;
  /** Builds and queues one payload now (also what the timer does). */
  tick(): void;
  stop(): void;
}

function startShipper<T extends { seq: number }>(options: ShipperOptions, method: string, build: (seq: number, source: StatSource) => T | undefined): Shipper {
  const newSource = (): StatSource => ({ app: options.app, instance: options.instance, boot: randomBytes(6).toString('base64url') });
  let source = newSource();
  const sender = new BoundedSender<T>({
    send: (item) => options.rpc.call(STAT_SERVICE, method, item, { timeoutMs: Math.min(2000, options.intervalMs) }),
    capacity: options.capacity,
    retryMs: Math.min(1000, options.intervalMs),
    logger: options.logger,
    what: `stat.${method}`,
  });
  let seq = 0;
  const tick = () => {
    // stat keeps a bit per seq of a boot (MAX_STAT_SEQ bounds it): a process that lives past it continues as a new boot.
    if (seq > (options.maxSeq ?? MAX_STAT_SEQ)) [source, seq] = [newSource(), 0];
    const payload = build(seq, source);
    if (payload) {
      seq++;
      sender.push(payload);
    }
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return {
    sender: sender as BoundedSender<unknown>,
    tick,
    stop() {
      clearInterval(timer);
      sender.close();
    },
  };
}

/**
 * Ships this process's RPC call statistics (libs/rpc's CallWindow deltas) to
 * stat every interval; calls to stat itself are left out, as Dubbo's monitor
 * does, so shipping never reports on itself. A stat outage costs only the
 * batches beyond `capacity`.
 */
export function shipRpcStats(options: ShipperOptions & { metrics: RpcMetrics }): Shipper {
  let last = Date.now();
  return startShipper<RpcStatsBatch>(options, STAT_METHODS.rpcStats, (seq, source) => {
    const now = Date.now();
    const entries: CallStats[] = options.metrics.window.drain().filter((e) => e.service !== STAT_SERVICE);
    const intervalMs = Math.max(100, now - last);
    last = now;
    if (entries.length === 0) return undefined;
    return { source, seq, at: now, intervalMs, entries: entries.slice(0, 1000) };
  });
}

/** Ships a spear node's report every interval; `collect` measures the interval that just ended. */
export function shipNodeReports(options: ShipperOptions & { node: string; collect(intervalMs: number): Record<NodeMetric, number> }): Shipper {
  let last = Date.now();
  return startShipper<NodeReport>(options, STAT_METHODS.report, (seq, source) => {
    const now = Date.now();
    const intervalMs = Math.max(100, now - last);
    last = now;
    return { source, seq, node: options.node, at: now, intervalMs, metrics: options.collect(intervalMs) };
  });
}
