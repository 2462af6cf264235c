import type { ServerEvent, Transport } from '../transport';

/** A client connection as the recording transport holds it: what it was sent, and whether it is closed. */
export class FakeConn {
  readonly events: Array<{ event: ServerEvent; payload: Record<string, unknown> }> = [];
  closed = false;
  /** A client that reads nothing: `drained` never says yes while it is open. */
  stalled = false;
  /** A client that reads slowly: each `drained` takes this long to say yes. */
  drainDelayMs = 0;
  /** How many times a sender waited for this connection to drain. */
  drainWaits = 0;
  /** Closed by `cut` (not a graceful close). */
  cut = false;

  constructor(readonly id: string) {}

  /** Payloads of one event kind, in arrival order. */
  of(event: ServerEvent): Array<Record<string, unknown>> {
    return this.events.filter((e) => e.event === event).map((e) => e.payload);
  }

  /** Ids of the `msg` events received, in order. */
  msgIds(): string[] {
    return this.of('msg').map((m) => m['id'] as string);
  }
}

/**
 * A {@link Transport} that records what each connection was sent, for the
 * node core's unit tests. Payloads are copied as JSON, as a socket would
 * serialize them. Closing a connection calls `onClose` (the test wires it to
 * NodeCore.disconnect, as the socket.io adapter wires its disconnect event).
 */
export class RecordingTransport implements Transport<FakeConn> {
  private readonly open = new Set<FakeConn>();
  private readonly rooms = new Map<string, Set<FakeConn>>();
  onClose: (conn: FakeConn) => void = () => undefined;

  add(conn: FakeConn): void {
    this.open.add(conn);
  }

  emit(conn: FakeConn, event: ServerEvent, payload: object): void {
    if (!conn.closed) conn.events.push({ event, payload: JSON.parse(JSON.stringify(payload)) as Record<string, unknown> });
  }

  emitToGroup(group: string, event: ServerEvent, payload: object): number {
    const room = this.rooms.get(group) ?? new Set();
    for (const conn of room) this.emit(conn, event, payload);
    return room.size;
  }

  emitToAll(event: ServerEvent, payload: object): number {
    for (const conn of this.open) this.emit(conn, event, payload);
    return this.open.size;
  }

  async drained(conn: FakeConn, timeoutMs: number): Promise<boolean> {
    conn.drainWaits++;
    if (conn.drainDelayMs > 0 && !conn.closed) await new Promise((resolve) => setTimeout(resolve, Math.min(conn.drainDelayMs, timeoutMs)));
    if (!conn.stalled || conn.closed) return true;
    await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    return conn.closed;
  }

  joinRoom(conn: FakeConn, group: string): void {
    if (!this.rooms.has(group)) this.rooms.set(group, new Set());
    this.rooms.get(group)!.add(conn);
  }

  leaveRoom(conn: FakeConn, group: string): void {
    this.rooms.get(group)?.delete(conn);
  }

  /** As close: a fake connection has no queue to drop. */
  cut(conn: FakeConn): void {
    conn.cut = true;
    this.close(conn);
  }

  close(conn: FakeConn): void {
    if (conn.closed) return;
    conn.closed = true;
    this.open.delete(conn);
    for (const room of this.rooms.values()) room.delete(conn);
    this.onClose(conn);
  }
}
