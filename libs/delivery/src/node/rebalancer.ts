import { HashRing } from '@spear/ring';
import type { CoreLogger, LiveNode } from './cluster';
import type { Session } from './session';
import type { Transport } from './transport';

export interface RebalanceOptions {
  /** At most this many sessions are told to move per second, so clients do not stampede ticket. */
  perSecond: number;
}

/**
 * Keeps users on the node the ring assigns them: after every change of the
 * live node set (or a weight), sessions whose uid now maps elsewhere are
 * handed to `move`, at a bounded rate. Uses the same ring as ticket (ids,
 * weights, 160 points per unit), so both agree on where a user belongs.
 * The first ring seen is the one this node's users were placed by: nothing moves.
 */
export class Rebalancer<C> {
  private signature?: string;
  private queue: Session<C>[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly nodeId: string,
    private readonly options: RebalanceOptions,
    private readonly sessions: () => Iterable<Session<C>>,
    private readonly move: (session: Session<C>) => void,
    private readonly logger: CoreLogger,
  ) {}

  onNodes(nodes: readonly LiveNode[]): void {
    if (!nodes.some((n) => n.id === this.nodeId)) return; // we are leaving: drain handles our users
    const ring = new HashRing(nodes);
    const first = this.signature === undefined;
    if (ring.signature === this.signature) return;
    this.signature = ring.signature;
    if (first) return;
    const moving: Session<C>[] = [];
    for (const session of this.sessions()) if (ring.get(session.uid)?.id !== this.nodeId) moving.push(session);
    if (moving.length === 0) return;
    this.logger.info({ nodes: nodes.map((n) => n.id), moving: moving.length }, 'ring changed: migrating users that now belong elsewhere');
    this.queue.push(...moving);
    this.pump();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.queue = [];
  }

  private pump(): void {
    if (this.timer) return;
    const tick = 100;
    const perTick = Math.max(1, Math.round((this.options.perSecond * tick) / 1000));
    this.timer = setInterval(() => {
      for (const session of this.queue.splice(0, perTick)) if (!session.closed) this.move(session);
      if (this.queue.length === 0) this.stop();
    }, tick);
    this.timer.unref();
  }
}

/** Tells one connection to move (`migrate {reason, retryAfterMs}`), and closes it if it is still here after `graceMs`. */
export function tellToMigrate<C>(transport: Transport<C>, session: Session<C>, reason: string, migration: { graceMs: number; retryAfterMs: number }): void {
  transport.emit(session.conn, 'migrate', { reason, retryAfterMs: migration.retryAfterMs });
  setTimeout(() => session.closed || transport.close(session.conn), migration.graceMs).unref();
}
