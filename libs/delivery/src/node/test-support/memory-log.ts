import { ProtocolError, type HistoryPayload, type MsgEvent } from '@spear/protocol';
import type { LogOptions } from '../../log/log-options';
import type { Arrival, DeviceAck, StoreOptions, Unacked } from '../../log/user-log';

interface DeviceState {
  cursor: number;
  acked: Set<number>;
  seenAt: number;
}

/**
 * One user's log in memory with UserLog's semantics (user-log-lua.ts, append-lua.ts; both
 * pass delivery-store-contract.ts): seqs without holes, retention by count
 * and age, a bytes quota that only drops history every device acked, per-
 * device cursors. Sizes are counted as the message's JSON length.
 */
export class MemoryLog {
  readonly entries: MsgEvent[] = [];
  readonly devices = new Map<string, DeviceState>();
  last = 0;

  constructor(private readonly options: LogOptions) {}

  get head(): number {
    return this.last - this.entries.length + 1;
  }

  private get bytes(): number {
    return this.entries.reduce((n, m) => n + JSON.stringify(m).length, 0);
  }

  /** Appends; returns the seq (the first one for a repeated id), or throws the refusal with nothing written. */
  append(message: MsgEvent, options: StoreOptions, known: boolean, online: boolean): number {
    const seen = this.entries.find((m) => m.id === message.id);
    if (seen) return seen.seq!;
    const send = options.kind === 'send';
    if (send && this.options.knownUsersOnly && !known) throw new ProtocolError('forbidden', `${message.to} is not a known user`);
    if (send && options.offlineAllowed === false && !online) throw new ProtocolError('rate_limited', 'too many messages to offline users; slow down');
    this.retain(message.ts);
    const entry = { ...structuredClone(message), seq: this.last + 1 };
    const size = JSON.stringify(entry).length;
    if (options.kind !== 'copy' && this.bytes + size > this.options.maxBytes) {
      const floor = this.devices.size === 0 ? 0 : Math.min(...[...this.devices.values()].map((d) => d.cursor));
      while (this.bytes + size > this.options.maxBytes && this.entries.length > 0 && this.head <= floor) this.entries.shift();
      if (this.bytes + size > this.options.maxBytes) throw new ProtocolError('rate_limited', `the log of ${message.to} is full; retry later`);
    }
    this.entries.push(entry);
    this.last++;
    this.retain(message.ts);
    return entry.seq;
  }

  arrive(device: string, now = Date.now()): Omit<Arrival, 'groups'> {
    this.retain();
    for (const [name, state] of this.devices) if (name !== device && state.seenAt < now - this.options.forgetDeviceAfterSeconds * 1000) this.devices.delete(name);
    const others = [...this.devices].filter(([name]) => name !== device).sort((a, b) => a[1].seenAt - b[1].seenAt);
    for (let i = 0; i < others.length + 1 - this.options.maxDevices; i++) this.devices.delete(others[i]![0]);
    const state = this.device(device);
    let gap = false;
    if (state.cursor < this.head - 1) {
      for (let s = state.cursor + 1; s < this.head; s++) if (!state.acked.has(s)) gap = true;
      state.cursor = this.head - 1;
    }
    state.seenAt = now;
    this.settle(state);
    return { gap, ...this.unacked(device) };
  }

  unacked(device: string): Unacked {
    const state = this.devices.get(device) ?? { cursor: 0, acked: new Set<number>(), seenAt: 0 };
    return { messages: this.entries.filter((m) => m.seq! > state.cursor && !state.acked.has(m.seq!)).map((m) => structuredClone(m)), last: this.last };
  }

  ack(device: string, ack: DeviceAck): void {
    const state = this.device(device);
    if (ack.upTo !== undefined) state.cursor = ack.upTo; // as given: the node clamps it
    for (const id of ack.ids ?? []) {
      const seq = this.entries.find((m) => m.id === id)?.seq;
      if (seq !== undefined && seq > state.cursor) state.acked.add(seq);
    }
    state.seenAt = Date.now();
    this.settle(state);
  }

  history(uid: string, query: HistoryPayload): MsgEvent[] {
    const cutoff = Date.now() - this.options.ttlSeconds * 1000;
    return this.entries
      .filter((m) => m.ts >= cutoff && (query.before === undefined || m.seq! < query.before))
      .filter((m) => query.with === undefined || m.from === query.with || (m.from === uid && m.to === query.with))
      .reverse()
      .slice(0, query.limit)
      .map((m) => structuredClone(m));
  }

  private device(name: string): DeviceState {
    let state = this.devices.get(name);
    if (!state) this.devices.set(name, (state = { cursor: 0, acked: new Set(), seenAt: Date.now() }));
    return state;
  }

  private settle(state: DeviceState): void {
    while (state.acked.delete(state.cursor + 1)) state.cursor++;
    for (const s of state.acked) if (s <= state.cursor) state.acked.delete(s);
  }

  /** `now`: an append's is its message's ts, as in UserLog's scripts. */
  private retain(now = Date.now()): void {
    const cutoff = now - this.options.ttlSeconds * 1000;
    while (this.entries.length > this.options.cap) this.entries.shift();
    while (this.entries.length > 0 && this.entries[0]!.ts < cutoff) this.entries.shift();
  }
}
