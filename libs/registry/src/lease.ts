import { EventEmitter } from 'node:events';
import { posix } from 'node:path';
import zookeeper, { type ACL, type Client } from 'node-zookeeper-client';
import type { RegistryState } from './registry';
import { isZkError, zk } from './zk-ops';

/**
 * The lowest free number in [min, max] under a path, held by an ephemeral
 * node (e.g. a snowflake worker id at /idgen/workers/<id>).
 *
 * Guarantee: while `valid` is true, no other live session holds the same
 * number. `valid` turns false at once on a disconnect (the session may be
 * expiring) and stays false until this session is confirmed again, or a new
 * lease is taken after an expiry (preferring the same number). Events:
 * 'acquired' (id), 'lost', 'warning' (a re-acquire failed; retried on the next connect).
 */
export class Lease extends EventEmitter {
  private heldId: number | undefined;
  /** The number held before an expiry; taken again if still free, so ids keep their worker. */
  private previous: number | undefined;
  private connected = true;
  private acquiring?: Promise<void>;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly range: { min: number; max: number },
    private readonly data: Buffer,
    private readonly client: () => Client,
    private readonly acl: ACL[],
  ) {
    super();
  }

  get id(): number | undefined {
    return this.heldId;
  }

  /** True only while the number is held by a session known to be alive. */
  get valid(): boolean {
    return this.heldId !== undefined && this.connected && !this.closed;
  }

  /** Takes the lowest free number (or the previous one, if free). */
  acquire(): Promise<void> {
    this.acquiring ??= this.tryAcquire().finally(() => (this.acquiring = undefined));
    return this.acquiring;
  }

  /** Follows the registry's connection: suspend on disconnect, re-take after expiry. */
  onState(state: RegistryState): void {
    if (this.closed) return;
    if (state === 'connected') {
      this.connected = true;
      if (this.heldId === undefined) void this.acquire().catch((error: unknown) => this.emit('warning', error));
    } else {
      this.connected = false;
      if (state === 'expired' && this.heldId !== undefined) {
        this.previous = this.heldId;
        this.heldId = undefined;
        this.emit('lost');
      }
    }
  }

  async release(): Promise<void> {
    this.closed = true;
    const id = this.heldId;
    this.heldId = undefined;
    if (id !== undefined) await zk.remove(this.client(), posix.join(this.path, String(id))).catch(() => undefined);
  }

  private async tryAcquire(): Promise<void> {
    const client = this.client();
    await zk.mkdirp(client, this.path, this.acl);
    const taken = new Set((await zk.getChildren(client, this.path)).map(Number));
    const candidates: number[] = [];
    if (this.previous !== undefined && !taken.has(this.previous)) candidates.push(this.previous);
    for (let n = this.range.min; n <= this.range.max; n++) if (!taken.has(n) && n !== this.previous) candidates.push(n);
    for (const n of candidates) {
      try {
        await zk.create(client, posix.join(this.path, String(n)), this.data, this.acl, zookeeper.CreateMode.EPHEMERAL);
      } catch (error) {
        if (isZkError(error, 'NODE_EXISTS')) continue; // taken meanwhile by another instance
        throw error;
      }
      this.heldId = n;
      this.connected = true;
      this.emit('acquired', n);
      return;
    }
    throw new Error(`no free number in [${this.range.min}, ${this.range.max}] under ${this.path}`);
  }
}
