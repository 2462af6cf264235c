import { connect, type SpearClient } from '@spear/client';
import type { Logger } from 'pino';

export interface LoadSpec {
  users: number;
  /** Messages per second over all users. */
  ratePerSec: number;
  seconds: number;
}

export interface LoadStatus {
  state: 'idle' | 'connecting' | 'running' | 'stopping' | 'done' | 'failed';
  spec?: LoadSpec;
  startedAt?: number;
  connected: number;
  sent: number;
  acked: number;
  received: number;
  errors: number;
  /** Send to receive, over the last 1,000 messages received. */
  p50Ms: number | null;
  p99Ms: number | null;
  lastError?: string;
}

const LATENCY_WINDOW = 1000;

/**
 * The dashboard's load mode: N simulated users (libs/client in this process)
 * sending 1:1 messages to each other at a fixed total rate for a while, so a
 * demo shows live traffic. One run at a time; stop() ends it early. Failures
 * are counted, never thrown.
 */
export class LoadRunner {
  private status: LoadStatus = idle();
  private clients: SpearClient[] = [];
  private timer?: NodeJS.Timeout;
  private latencies: number[] = [];
  /** Bumped by every start and stop: work of an older run that resumes after an await sees it is stale. */
  private run = 0;

  constructor(
    private readonly logger: Logger,
    /** Issues a token for a uid (minions holds the admin key) and says where ticket is. */
    private readonly access: (uid: string) => Promise<{ token: string; ticketUrl: string }>,
  ) {}

  current(): LoadStatus {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : null);
    return { ...this.status, p50Ms: at(0.5), p99Ms: at(0.99) };
  }

  get running(): boolean {
    return this.status.state === 'connecting' || this.status.state === 'running' || this.status.state === 'stopping';
  }

  /** Starts a run in the background and returns its users' uid prefix (`sim-<run>-`, then 0..users-1); undefined when one is already running. */
  start(spec: LoadSpec): string | undefined {
    if (this.running) return undefined;
    this.status = { ...idle(), state: 'connecting', spec, startedAt: Date.now() };
    this.latencies = [];
    const run = ++this.run;
    const uidPrefix = `sim-${Date.now().toString(36)}-`;
    void this.execute(spec, uidPrefix, run).catch((error: unknown) => {
      if (run !== this.run) return;
      this.status.state = 'failed';
      this.status.lastError = String(error);
      this.logger.warn({ err: String(error) }, 'load run failed');
      this.closeClients();
    });
    return uidPrefix;
  }

  stop(): void {
    if (!this.running) return;
    this.run++;
    this.status.state = 'stopping';
    clearInterval(this.timer);
    this.closeClients();
    this.status.state = 'done';
  }

  private async execute(spec: LoadSpec, uidPrefix: string, run: number): Promise<void> {
    const uids = Array.from({ length: spec.users }, (_, i) => `${uidPrefix}${i}`);
    // Connect in small waves: a demo must not stampede ticket.
    for (let i = 0; i < uids.length && run === this.run; i += 20) {
      const wave = await Promise.allSettled(uids.slice(i, i + 20).map((uid) => this.connectOne(uid, run)));
      for (const r of wave) if (r.status === 'rejected' && run === this.run) this.fail(r.reason);
    }
    if (run !== this.run) return;
    if (this.clients.length < 2) throw new Error('fewer than two simulated users could connect');
    this.status.state = 'running';
    const tickMs = 50;
    const perTick = (spec.ratePerSec * tickMs) / 1000;
    let owed = 0;
    const endAt = Date.now() + spec.seconds * 1000;
    this.timer = setInterval(() => {
      if (Date.now() >= endAt) return this.stop();
      owed += perTick;
      for (; owed >= 1; owed--) this.sendOne();
    }, tickMs);
  }

  private async connectOne(uid: string, run: number): Promise<void> {
    const { token, ticketUrl } = await this.access(uid);
    const client = await connect({ ticketUrl, uid, token, timeoutMs: 5000 });
    client.on('msg', (m) => {
      this.status.received++;
      const sentAt = (m.body as { sentAt?: unknown } | null)?.sentAt;
      if (typeof sentAt === 'number') {
        this.latencies.push(Date.now() - sentAt);
        if (this.latencies.length > LATENCY_WINDOW) this.latencies.shift();
      }
    });
    if (run !== this.run) return client.close();
    this.clients.push(client);
    this.status.connected = this.clients.length;
  }

  private sendOne(): void {
    const n = this.clients.length;
    const from = this.clients[Math.floor(Math.random() * n)]!;
    let to = this.clients[Math.floor(Math.random() * n)]!;
    if (to === from) to = this.clients[(this.clients.indexOf(from) + 1) % n]!;
    this.status.sent++;
    from.send(to.uid, { sentAt: Date.now(), text: 'load' }).then(
      () => void this.status.acked++,
      (error: unknown) => this.fail(error),
    );
  }

  private fail(error: unknown): void {
    this.status.errors++;
    this.status.lastError = error instanceof Error ? error.message : String(error);
  }

  private closeClients(): void {
    for (const c of this.clients) c.close();
    this.clients = [];
    this.status.connected = 0;
  }
}

function idle(): LoadStatus {
  return { state: 'idle', connected: 0, sent: 0, acked: 0, received: 0, errors: 0, p50Ms: null, p99Ms: null };
}
