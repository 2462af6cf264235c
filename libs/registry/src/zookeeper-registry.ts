import { EventEmitter } from 'node:events';
import { posix } from 'node:path';
import zookeeper, { type ACL, type Client } from 'node-zookeeper-client';
import { ChildWatch } from './child-watch';
import { Election } from './election';
import { Lease } from './lease';
import type { Registry, RegistryEntry, RegistryState } from './registry';
import { ensureEphemeral, removeIfOwned } from './ephemeral-nodes';
import { authenticate, deploymentAcl, parentAcl, secureRoot, type ZooKeeperAuth } from './zk-auth';
import { isConnectionError, isZkError, parseData, zk } from './zk-ops';

export interface ZooKeeperRegistryOptions {
  /** host:port[,host:port...] */
  connect: string;
  /** Deployment root, e.g. /spear/local. */
  root: string;
  sessionTimeoutMs: number;
  connectTimeoutMs: number;
  /** Who this process is to ZooKeeper: every znode it creates is that user's alone (zk-auth.ts). */
  auth: ZooKeeperAuth;
  /** Where warnings go (a pino logger fits). */
  logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
}

/**
 * Registry on node-zookeeper-client (pure JS, so it installs on any machine
 * without native headers). After a session expiry it opens a new session and
 * creates every registration of this process again. Every session
 * authenticates as the deployment's digest user, and everything under the
 * root is that user's alone: `ready()` resolves only once the root is
 * secured (zk-auth.ts secureRoot), so nothing registers under a root that
 * someone else could rewrite.
 */
export class ZooKeeperRegistry extends EventEmitter implements Registry {
  readonly root: string;
  private client!: Client;
  private currentState: RegistryState = 'connecting';
  /** Full path -> encoded data of every live registration of this process. */
  private readonly registrations = new Map<string, Buffer>();
  private readonly watches = new Set<ChildWatch<unknown>>();
  private disconnectedSince = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private readonly acl: ACL[];
  private secured?: Promise<void>;

  constructor(private readonly options: ZooKeeperRegistryOptions) {
    super();
    this.root = options.root;
    this.acl = deploymentAcl(options.auth);
    this.openSession();
    this.watchdog = setInterval(() => this.unstick(), 500);
    this.watchdog.unref();
  }

  get state(): RegistryState {
    return this.currentState;
  }

  /** The current session id in hex, for logs. */
  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  /** The current session's id and password, so fault tests can force its expiry from outside. */
  sessionCredentials(): { id: Buffer; password: Buffer } {
    return { id: this.client.getSessionId(), password: this.client.getSessionPassword() };
  }

  async ready(): Promise<void> {
    await this.connected();
    this.secured ??= secureRoot(this.client, this.root, this.acl, parentAcl(this.options.auth), (path) => this.options.logger?.warn({ path }, "zookeeper: znode had another ACL; now the deployment user's only")).catch((error: unknown) => {
      this.secured = undefined;
      throw error;
    });
    await this.secured;
  }

  private async connected(): Promise<void> {
    if (this.currentState === 'connected') return;
    if (this.currentState === 'closed') throw new Error('registry is closed');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('state', onState);
        reject(new Error(`ZooKeeper at ${this.options.connect} unreachable after ${this.options.connectTimeoutMs} ms`));
      }, this.options.connectTimeoutMs);
      const onState = (state: RegistryState) => {
        if (state !== 'connected') return;
        clearTimeout(timer);
        this.off('state', onState);
        resolve();
      };
      this.on('state', onState);
    });
  }

  async register(path: string, data: unknown): Promise<void> {
    const full = this.full(path);
    const encoded = Buffer.from(JSON.stringify(data));
    // Recorded only once created: until then this call retries by itself, and a
    // concurrent restore must not race it for the same path.
    await this.withReconnect(() => ensureEphemeral(this.client, this.acl, full, encoded, this.options.logger));
    this.registrations.set(full, encoded);
  }

  async unregister(path: string): Promise<void> {
    const full = this.full(path);
    if (!this.registrations.delete(full)) return;
    await removeIfOwned(this.client, full);
  }

  async unregisterAll(): Promise<void> {
    const paths = [...this.registrations.keys()];
    this.registrations.clear();
    await Promise.all(paths.map((p) => removeIfOwned(this.client, p)));
  }

  async list<T = unknown>(path: string): Promise<RegistryEntry<T>[]> {
    const full = this.full(path);
    let names: string[];
    try {
      names = await zk.getChildren(this.client, full);
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) return [];
      throw error;
    }
    const entries = await Promise.all(
      names.sort().map(async (name) => {
        try {
          const { data } = await zk.getData(this.client, `${full}/${name}`);
          return { name, data: parseData(data) as T };
        } catch (error) {
          if (isZkError(error, 'NO_NODE')) return undefined; // gone between the two reads
          throw error;
        }
      }),
    );
    return entries.filter((e): e is RegistryEntry<T> => e !== undefined);
  }

  watchChildren<T = unknown>(path: string, listener: (entries: RegistryEntry<T>[]) => void): () => void {
    const watch = new ChildWatch<T>(this.full(path), () => this.client, this.acl, listener, (error) => {
      this.options.logger?.warn({ path, err: String(error) }, 'child watch read failed; will retry on next connect');
    });
    this.watches.add(watch as ChildWatch<unknown>);
    if (this.currentState === 'connected') watch.refresh();
    return () => {
      watch.close();
      this.watches.delete(watch as ChildWatch<unknown>);
    };
  }

  /** Takes a numbered lease under root + path (see Lease for its guarantee). */
  async lease(path: string, range: { min: number; max: number }, data: unknown = {}): Promise<Lease> {
    await this.ready();
    const lease = new Lease(this.full(path), range, Buffer.from(JSON.stringify(data)), () => this.client, this.acl);
    this.on('state', (state: RegistryState) => lease.onState(state));
    await lease.acquire();
    return lease;
  }

  /** Joins a leader election under root + path (see Election for its guarantee). */
  async elect(path: string, data: unknown = {}): Promise<Election> {
    await this.ready();
    const election = new Election(this.full(path), Buffer.from(JSON.stringify(data)), () => this.client, this.acl);
    this.on('state', (state: RegistryState) => election.onState(state));
    await election.join();
    return election;
  }

  async close(): Promise<void> {
    for (const watch of this.watches) watch.close();
    this.watches.clear();
    if (this.currentState === 'closed') return;
    clearInterval(this.watchdog);
    if (this.currentState === 'connected') await this.unregisterAll().catch(() => undefined);
    this.setState('closed');
    this.client.close();
  }

  private full(path: string): string {
    return posix.join(this.root, path);
  }

  private openSession(): void {
    const client = zookeeper.createClient(this.options.connect, {
      sessionTimeout: this.options.sessionTimeoutMs,
      spinDelay: 200,
      retries: 0,
    });
    this.client = client;
    authenticate(client, this.options.auth);
    client.on('state', (state) => {
      if (client !== this.client || this.currentState === 'closed') return;
      if (state === zookeeper.State.SYNC_CONNECTED) {
        const afterExpiry = this.currentState === 'expired';
        this.setState('connected');
        const started = Date.now();
        void this.restoreRegistrations().then(() => {
          // After an expiry, how long the registrations took to come back (the fault suite reads this).
          if (afterExpiry) this.options.logger?.info({ registrations: this.registrations.size, ms: Date.now() - started }, 'zookeeper: new session after expiry; registrations restored');
        });
        // After an expiry the old session's watches are gone; a read re-arms them (harmless otherwise).
        for (const watch of this.watches) watch.refresh();
      } else if (state === zookeeper.State.DISCONNECTED) {
        this.setState('disconnected');
      } else if (state === zookeeper.State.EXPIRED) {
        // The old session and its ephemeral nodes are gone for good: start a new one.
        this.options.logger?.warn({ connect: this.options.connect }, 'zookeeper session expired; opening a new session');
        this.setState('expired');
        client.close();
        this.openSession();
      }
    });
    client.connect();
  }

  /**
   * node-zookeeper-client waits forever for the answer to a connect request
   * that a starting server accepted but never answered (seen on a ZooKeeper
   * restart), where the Java client would time out. If no session is
   * (re)established within a third of the session timeout, drop the socket so
   * the client dials again; the session is kept if the server still has it.
   */
  private unstick(): void {
    if (this.currentState === 'connected' || this.currentState === 'closed' || this.disconnectedSince === 0) return;
    if (Date.now() - this.disconnectedSince < Math.max(1500, this.options.sessionTimeoutMs / 3)) return;
    const socket = (this.client as unknown as { connectionManager?: { socket?: { destroy(): void } } }).connectionManager?.socket;
    if (!socket) return;
    this.options.logger?.warn({ connect: this.options.connect }, 'zookeeper connect stalled; dialing again');
    this.disconnectedSince = Date.now();
    socket.destroy();
  }

  private setState(state: RegistryState): void {
    if (this.currentState === state) return;
    if (state === 'connected') this.disconnectedSince = 0;
    else if (this.disconnectedSince === 0) this.disconnectedSince = Date.now();
    this.currentState = state;
    this.emit('state', state);
  }

  /** Re-creates registrations after (re)connecting; a no-op for those still held by this session. */
  private async restoreRegistrations(): Promise<void> {
    for (const [path, data] of this.registrations) {
      try {
        await ensureEphemeral(this.client, this.acl, path, data, this.options.logger);
      } catch (error) {
        this.options.logger?.warn({ path, err: String(error) }, 'could not restore registration; will retry on next connect');
      }
    }
  }

  /** Runs `op`, and after a connection error waits for the next connect and runs it again (bounded). */
  private async withReconnect(op: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + this.options.connectTimeoutMs + this.options.sessionTimeoutMs;
    for (;;) {
      if (this.currentState !== 'connected') await this.connected();
      try {
        return await op();
      } catch (error) {
        if (!isConnectionError(error) || Date.now() > deadline) throw error;
      }
    }
  }
}
