import { EventEmitter } from 'node:events';
import { posix } from 'node:path';
import zookeeper, { type ACL, type Client } from 'node-zookeeper-client';
import type { RegistryState } from './registry';
import { isZkError, zk } from './zk-ops';

const PREFIX = 'n_';

/**
 * Leader election with ephemeral sequential nodes: the lowest sequence leads,
 * every other candidate watches only its predecessor (no herd on change).
 *
 * Guarantee: at most one candidate whose session is alive and connected
 * sees `isLeader` true. Leadership is dropped at once on a disconnect and
 * re-checked on reconnect; after an expiry the candidate joins again.
 * Events: 'elected', 'revoked', 'warning' (a re-check failed; retried on the next event).
 */
export class Election extends EventEmitter {
  private node?: string;
  private leader = false;
  private connected = true;
  private closed = false;
  private checking = false;
  private recheck = false;

  constructor(
    private readonly path: string,
    private readonly data: Buffer,
    private readonly client: () => Client,
    private readonly acl: ACL[],
  ) {
    super();
  }

  get isLeader(): boolean {
    return this.leader && this.connected && !this.closed;
  }

  /** Joins the election (creates this candidate's node) and decides. */
  async join(): Promise<void> {
    const client = this.client();
    await zk.mkdirp(client, this.path, this.acl);
    const created = await zk.create(client, posix.join(this.path, PREFIX), this.data, this.acl, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
    this.node = posix.basename(created);
    this.check();
  }

  onState(state: RegistryState): void {
    if (this.closed) return;
    if (state === 'connected') {
      this.connected = true;
      if (this.node === undefined) void this.join().catch((error: unknown) => this.emit('warning', error));
      else this.check();
      return;
    }
    this.connected = false;
    if (state === 'expired') this.node = undefined; // our node died with the session
    this.setLeader(false);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.setLeader(false);
    if (this.node) await zk.remove(this.client(), posix.join(this.path, this.node)).catch(() => undefined);
    this.node = undefined;
  }

  /** Serialized re-evaluation: lead if lowest, else watch the predecessor. */
  private check(): void {
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    void this.evaluate()
      .catch((error: unknown) => {
        if (!isZkError(error, 'CONNECTION_LOSS') && !isZkError(error, 'SESSION_EXPIRED')) this.emit('warning', error);
      })
      .finally(() => {
        this.checking = false;
        if (this.recheck) {
          this.recheck = false;
          this.check();
        }
      });
  }

  private async evaluate(): Promise<void> {
    if (this.closed || !this.node) return;
    const client = this.client();
    const candidates = (await zk.getChildren(client, this.path)).filter((n) => n.startsWith(PREFIX)).sort();
    const index = candidates.indexOf(this.node);
    if (index < 0) {
      // Our node is gone (expired session seen late): join again.
      this.node = undefined;
      this.setLeader(false);
      if (this.connected) await this.join();
      return;
    }
    if (index === 0) {
      this.setLeader(true);
      return;
    }
    this.setLeader(false);
    const predecessor = posix.join(this.path, candidates[index - 1]!);
    const exists = await new Promise<boolean>((resolve, reject) =>
      client.exists(predecessor, () => this.check(), (e, stat) => (e ? reject(e) : resolve(Boolean(stat)))),
    );
    if (!exists) this.check();
  }

  private setLeader(leader: boolean): void {
    const effective = leader && this.connected && !this.closed;
    if (effective === this.leader) return;
    this.leader = effective;
    this.emit(effective ? 'elected' : 'revoked');
  }
}
