import { HashRing } from '@spear/ring';
import type { Logger } from '@spear/runtime';
import type { Server, Socket } from 'socket.io';
import type { ConnectionIdentity } from '../gateway/handshake';

export interface RebalanceOptions {
  /** How long a migrated connection may stay before it is closed. */
  graceMs: number;
  /** At most this many migrate events per second, so clients do not stampede ticket. */
  perSecond: number;
  /** Hint to clients: wait this long (plus their jitter) before re-ticketing. */
  retryAfterMs: number;
}

/**
 * Keeps users on the node the ring assigns them: after every change of the
 * live node set (or a weight), connections whose uid now maps elsewhere get
 * `migrate` and are closed after a grace period, at a bounded rate. Uses the
 * same ring as ticket (ids, weights, 160 points per unit), so both agree.
 */
export class Rebalancer {
  private ring?: HashRing<{ id: string; weight: number }>;
  private signature = '';
  private queue: Socket[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly io: Server,
    private readonly nodeId: string,
    private readonly options: RebalanceOptions,
    private readonly logger: Logger,
  ) {}

  /** Called with the live nodes whenever ZooKeeper reports a change. */
  onNodes(nodes: Array<{ id: string; weight: number }>): void {
    if (!nodes.some((n) => n.id === this.nodeId)) return; // we are leaving: drain handles our users
    const ring = new HashRing(nodes);
    const first = this.ring === undefined;
    if (ring.signature === this.signature) return;
    this.ring = ring;
    this.signature = ring.signature;
    if (first) return; // the ring we started with: our users were placed by it
    const moving = [...this.io.of('/').sockets.values()].filter((s) => {
      const uid = (s.data as ConnectionIdentity).uid;
      return uid !== undefined && ring.get(uid)?.id !== this.nodeId;
    });
    if (moving.length === 0) return;
    this.logger.info({ nodes: nodes.map((n) => n.id), moving: moving.length }, 'ring changed: migrating users that now belong elsewhere');
    this.queue.push(...moving);
    this.pump();
  }

  stop(): void {
    clearInterval(this.timer);
    this.queue = [];
  }

  private pump(): void {
    if (this.timer) return;
    const tick = 100;
    const perTick = Math.max(1, Math.round((this.options.perSecond * tick) / 1000));
    this.timer = setInterval(() => {
      for (const socket of this.queue.splice(0, perTick)) {
        if (!socket.connected) continue;
        socket.emit('migrate', { reason: 'rebalance', retryAfterMs: this.options.retryAfterMs });
        setTimeout(() => socket.disconnect(true), this.options.graceMs).unref();
      }
      if (this.queue.length === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    }, tick);
    this.timer.unref();
  }
}
