import type { Ack } from '@spear/protocol';
import type { ClientEvent } from '../client-events';
import type { ClusterLocks, CoreLogger, IdSource, LiveNode } from '../cluster';
import { NodeCore } from '../node-core';
import type { NodeCoreOptions } from '../node-options';
import type { Session } from '../session';
import { MemoryBusNetwork } from './memory-bus';
import type { LogOptions } from '../../log/log-options';
import { MemoryStores, TEST_LOG_OPTIONS } from './memory-stores';
import { FakeConn, RecordingTransport } from './recording-transport';

/** Lets every pending bus hop and store call run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** Increasing decimal ids, as idgen's snowflakes are. */
export class CountingIds implements IdSource {
  private n = 1_000_000n;
  async next(): Promise<string> {
    return String(this.n++);
  }
}

/** A lock table shared by the nodes of one test cluster. */
export class MemoryLocks implements ClusterLocks {
  readonly held = new Set<string>();
  async tryPurgeLock(deadNodeId: string): Promise<(() => Promise<void>) | undefined> {
    if (this.held.has(deadNodeId)) return undefined;
    this.held.add(deadNodeId);
    return async () => void this.held.delete(deadNodeId);
  }
}

export class RecordingLogger implements CoreLogger {
  readonly lines: string[] = [];
  info(_fields: object, message: string): void {
    this.lines.push(message);
  }
  warn(_fields: object, message: string): void {
    this.lines.push(message);
  }
}

export const testOptions = (nodeId: string): NodeCoreOptions => ({
  nodeId,
  delivery: { maxBodyBytes: 1024, senderCopies: false },
  rateLimit: { eventsPerSecond: 10_000, burst: 10_000, strikes: 3 },
  routeRefreshMs: 60_000,
  migration: { graceMs: 30, perSecond: 1000, retryAfterMs: 10, drainMs: 20 },
});

/** One node of a test cluster: its core and what its transport recorded. */
export interface TestNode {
  id: string;
  core: NodeCore<FakeConn>;
  transport: RecordingTransport;
  logger: RecordingLogger;
  /** Each connection's session, as the socket.io adapter keeps it on the socket. */
  sessions: Map<FakeConn, Session<FakeConn>>;
}

/** One client connection, as a test drives it. */
export class TestClient {
  constructor(
    readonly node: TestNode,
    readonly conn: FakeConn,
    readonly session: Session<FakeConn>,
  ) {}

  call(event: ClientEvent, payload: unknown): Promise<Ack> {
    return this.node.core.receive(this.session, event, payload);
  }

  /** A send that must succeed; its id. */
  async send(to: string, body: unknown): Promise<string> {
    const ack = await this.call('send', { to, body });
    if (!ack.ok) throw new Error(`send refused: ${ack.error.code}`);
    return (ack as unknown as { id: string }).id;
  }

  close(): void {
    this.node.transport.close(this.conn);
  }
}

/**
 * Several node cores over shared in-memory stores, bus and locks: the v1
 * delivery guarantees checked across nodes without engines.
 */
export class CoreCluster {
  readonly stores: MemoryStores;
  readonly network = new MemoryBusNetwork();
  readonly locks = new MemoryLocks();
  readonly ids = new CountingIds();
  readonly nodes = new Map<string, TestNode>();
  private conns = 0;

  constructor(logOptions?: Partial<LogOptions>, historyCap?: number) {
    this.stores = new MemoryStores({ ...TEST_LOG_OPTIONS, ...logOptions }, historyCap);
  }

  async addNode(id: string, tweak: (o: NodeCoreOptions) => void = () => undefined): Promise<TestNode> {
    const transport = new RecordingTransport();
    const logger = new RecordingLogger();
    const options = testOptions(id);
    tweak(options);
    const core = new NodeCore(options, { transport, store: this.stores.forNode(id), bus: this.network.bus(), ids: this.ids, locks: this.locks, logger });
    const sessions = new Map<FakeConn, Session<FakeConn>>();
    transport.onClose = (conn) => void core.disconnect(sessions.get(conn)!);
    await core.start();
    const node: TestNode = { id, core, transport, logger, sessions };
    this.nodes.set(id, node);
    return node;
  }

  /** Connects `uid` (as `device`) to node `nodeId` and waits for its ready and replay. */
  async connect(nodeId: string, uid: string, device?: string): Promise<TestClient> {
    const client = this.open(nodeId, uid, device);
    await settle();
    return client;
  }

  /** Connects `uid` to node `nodeId` without waiting: its arrival is still in flight. `tokenRef`: its ticket's token. */
  open(nodeId: string, uid: string, device?: string, tokenRef?: string): TestClient {
    const node = this.nodes.get(nodeId)!;
    const conn = new FakeConn(`c${++this.conns}`);
    node.transport.add(conn);
    const session = node.core.connect(conn, uid, conn.id, device, tokenRef);
    node.sessions.set(conn, session);
    return new TestClient(node, conn, session);
  }

  /** Tells every node which nodes are live, as the registry watch does. */
  liveNodes(nodes: LiveNode[]): void {
    for (const node of this.nodes.values()) node.core.nodesChanged(nodes.map((n) => n.id), nodes);
  }

  /** A node crashes: it hears nothing from the bus and reaches no store again; none of its own cleanup runs. */
  kill(id: string): void {
    this.nodes.delete(id);
    this.network.cut(id);
    this.stores.deadNodes.add(id);
  }

  async close(): Promise<void> {
    for (const node of this.nodes.values()) await node.core.close();
  }
}
