import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Bus, Envelope } from '@spear/bus';
import type { NodeMetric } from '@spear/stat-client';

/** Lag samples kept per interval: enough for a p99, bounded memory under any load. */
const MAX_LAG_SAMPLES = 2048;

/** What the node report reads from the rest of the node. */
export interface NodeGauges {
  connections(): number;
  users(): number;
  groups(): number;
}

/**
 * Counts what a spear node does between two reports to stat: messages in
 * (sends and publishes stored), inbox writes, bus publishes and consumes, the
 * bus lag of consumed messages, event-loop delay and memory. collect() turns
 * the counts into per-second rates and starts the next interval.
 */
export class NodeMonitor {
  private msgsIn = 0;
  private inboxWrites = 0;
  private busPublished = 0;
  private busConsumed = 0;
  private emittedCount = 0;
  private lagSamples: number[] = [];
  private lagSeen = 0;
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly gauges: NodeGauges) {
    this.loop.enable();
  }

  /** A send (with its inbox write) or a publish was stored. */
  stored(kind: 'send' | 'publish'): void {
    this.msgsIn++;
    if (kind === 'send') this.inboxWrites++;
  }

  /** Events were handed to `n` local connections. */
  emitted(n: number): void {
    this.emittedCount += n;
  }

  /**
   * The bus, counting every publish this node asks of it (busPublishedPerSec):
   * one per forwarded message or group/broadcast publish. The buses coalesce
   * the directed ones of one event-loop turn into one wire publish per node,
   * so the engine sees fewer under load. A forward that the log's append
   * published itself (UserLog's LogForwarding) is not asked of the bus and
   * not counted here.
   */
  countingBus(bus: Bus): Bus {
    const count = <T>(p: Promise<T>) => (this.busPublished++, p);
    return {
      start: (nodeId, onEnvelope, onGap) => bus.start(nodeId, onEnvelope, onGap),
      publishToNodes: (nodeIds, envelope) => count(bus.publishToNodes(nodeIds, envelope)),
      publishToGroup: (group, envelope) => count(bus.publishToGroup(group, envelope)),
      publishBroadcast: (envelope) => count(bus.publishBroadcast(envelope)),
      joinGroup: (group) => bus.joinGroup(group),
      leaveGroup: (group) => bus.leaveGroup(group),
      close: () => bus.close(),
    };
  }

  /** An envelope arrived from the bus: counted, and its age sampled (reservoir, so the p99 stays fair under load). */
  consumed(envelope: Envelope, now = Date.now()): void {
    this.busConsumed++;
    const lag = Math.max(0, now - envelope.p.ts);
    this.lagSeen++;
    if (this.lagSamples.length < MAX_LAG_SAMPLES) this.lagSamples.push(lag);
    else {
      const slot = Math.floor(Math.random() * this.lagSeen);
      if (slot < MAX_LAG_SAMPLES) this.lagSamples[slot] = lag;
    }
  }

  /** The interval that just ended, as the report's metrics; counting starts over. */
  collect(intervalMs: number): Record<NodeMetric, number> {
    const perSec = (n: number) => (n * 1000) / intervalMs;
    const memory = memoryNow();
    const metrics: Record<NodeMetric, number> = {
      connections: this.gauges.connections(),
      users: this.gauges.users(),
      groups: this.gauges.groups(),
      msgsInPerSec: perSec(this.msgsIn),
      msgsOutPerSec: perSec(this.emittedCount),
      inboxWritesPerSec: perSec(this.inboxWrites),
      busPublishedPerSec: perSec(this.busPublished),
      busConsumedPerSec: perSec(this.busConsumed),
      busLagP99Ms: p99(this.lagSamples),
      eventLoopP99Ms: this.loop.count > 0 ? this.loop.percentile(99) / 1e6 : 0,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    };
    this.msgsIn = this.inboxWrites = this.busPublished = this.busConsumed = this.lagSeen = this.emittedCount = 0;
    this.lagSamples = [];
    this.loop.reset();
    return metrics;
  }

  stop(): void {
    this.loop.disable();
  }
}

function p99(samples: number[]): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

/**
 * RSS and heap in use. Reading RSS opens /proc, which fails with EMFILE when
 * the process is out of file descriptors; a report must not take the node
 * down then (it would, from a timer), so RSS reads 0 for that interval.
 */
function memoryNow(): { rss: number; heapUsed: number } {
  try {
    return process.memoryUsage();
  } catch {
    return { rss: 0, heapUsed: getHeapStatistics().used_heap_size };
  }
}
