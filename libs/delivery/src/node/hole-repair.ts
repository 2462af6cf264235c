import type { MsgEvent } from '@spear/protocol';
import type { CoreLogger } from './cluster';
import type { DeliveryStore } from './delivery-store';
import { fillFromLog, noteSeq, raiseFloor } from './seq-holes';
import type { Session } from './session';

export interface HoleRepairOptions {
  /** A hole open this long is taken for a lost message (overtaken ones arrive well within it). */
  afterMs: number;
  /** How often open holes are looked at. */
  everyMs: number;
  /** At most this many connections are repaired per look (one log read each), so a bus outage cannot flood the store. */
  perSweep: number;
}

/**
 * Over a second: a message from another node (bus) overtaken by a local one
 * arrives within milliseconds, and a bus publish is given up after 1 s.
 */
export const DEFAULT_HOLE_REPAIR: HoleRepairOptions = { afterMs: 1500, everyMs: 500, perSweep: 200 };

/**
 * Fills the holes of live connections from their users' logs (see
 * seq-holes.ts): a connection whose lowest hole has stayed open `afterMs`
 * reads what its device has not acked and is handed what it lacks, in seq
 * order. Guarantee: a 1:1 message lost on the bus reaches a connection that
 * stays up within about afterMs + everyMs of the next message it does get
 * (at-least-once; the client drops a late original by id). A loss with no
 * later message waits for the device's next connection, as before.
 */
export class HoleRepair<C> {
  private readonly open = new Set<Session<C>>();
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly store: Pick<DeliveryStore, 'unacked'>,
    private readonly emit: (session: Session<C>, message: MsgEvent) => void,
    private readonly logger: CoreLogger,
    private readonly options: HoleRepairOptions = DEFAULT_HOLE_REPAIR,
    /** Told how many messages each repair handed out. */
    private readonly repaired?: (messages: number) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** `seq` was handed to `session` (noteSeq); a hole it opens is watched from now. */
  note(session: Session<C>, seq: MsgEvent['seq'], now?: number): void {
    if (noteSeq(session, seq, now)) this.open.add(session);
  }

  /** One look: repairs the connections whose hole is due, oldest first, at most perSweep; resolves to how many. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.sweeping || this.open.size === 0) return 0;
    this.sweeping = true;
    try {
      const due: Session<C>[] = [];
      for (const session of this.open) {
        if (session.closed || session.holeSince === undefined) this.open.delete(session);
        // Still arriving (a send's seq came before its replay): the arrival accounts for the log up to its read.
        else if (session.buffered) continue;
        else if (now - session.holeSince >= this.options.afterMs) due.push(session);
      }
      due.sort((a, b) => a.holeSince! - b.holeSince!);
      const batch = due.slice(0, this.options.perSweep);
      const handed = await Promise.all(batch.map((session) => this.repair(session)));
      const messages = handed.reduce((a, b) => a + b, 0);
      if (messages > 0) this.logger.info({ connections: batch.length, messages, waiting: due.length - batch.length }, 'handed connections the messages they missed on the bus');
      return batch.length;
    } finally {
      this.sweeping = false;
    }
  }

  /** Resolves to how many messages `session` was handed. */
  private async repair(session: Session<C>): Promise<number> {
    try {
      // Handed before the read, so the log had it then.
      const lowestAbove = session.seqsAbove?.[0];
      const unacked = await this.store.unacked(session.uid, session.device);
      if (session.closed) return 0;
      const handed = fillFromLog(session, unacked, (message) => this.emit(session, message));
      // The log ends below a seq it gave before: it lost writes (a failover) or started again (its keys
      // expired). What the hole lacks is gone, not late: the hole closes instead of being read again and again.
      if (lowestAbove !== undefined && unacked.last < lowestAbove) raiseFloor(session, lowestAbove - 1);
      if (session.holeSince === undefined) this.open.delete(session);
      this.repaired?.(handed);
      return handed;
    } catch (error) {
      // The store is away: the hole stays open and is tried again at the next look.
      this.logger.warn({ uid: session.uid, err: String(error) }, 'hole repair failed; will retry');
      return 0;
    }
  }
}
