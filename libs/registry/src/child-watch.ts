import type { ACL, Client, Event } from 'node-zookeeper-client';
import type { RegistryEntry } from './registry';
import { isZkError, parseData, zk } from './zk-ops';

/**
 * One live view of a path's children and their data. ZooKeeper watches fire
 * once, so every event triggers a fresh read that sets new watches (on the
 * child list and on each child's data). Reads are serialized; events that
 * arrive during a read cause exactly one more read.
 */
export class ChildWatch<T> {
  private reading = false;
  private again = false;
  private closed = false;
  private lastSignature = '';

  constructor(
    private readonly path: string,
    private readonly client: () => Client,
    private readonly acl: ACL[],
    private readonly listener: (entries: RegistryEntry<T>[]) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Reads now (and re-arms); called at start, on every event and after every (re)connect. */
  refresh(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.read()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.reading = false;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }

  close(): void {
    this.closed = true;
  }

  private async read(): Promise<void> {
    const client = this.client();
    const onEvent = (_event: Event) => this.refresh();
    let names: string[];
    try {
      await zk.mkdirp(client, this.path, this.acl);
      names = await new Promise<string[]>((resolve, reject) =>
        client.getChildren(this.path, onEvent, (e, children) => (e ? reject(e) : resolve(children))),
      );
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) names = [];
      else throw error;
    }
    const entries = await Promise.all(
      names.sort().map(
        (name) =>
          new Promise<RegistryEntry<T> | undefined>((resolve, reject) =>
            client.getData(`${this.path}/${name}`, onEvent, (e, data) => {
              if (e) return isZkError(e, 'NO_NODE') ? resolve(undefined) : reject(e);
              resolve({ name, data: parseData(data) as T });
            }),
          ),
      ),
    );
    if (this.closed) return;
    const live = entries.filter((e): e is RegistryEntry<T> => e !== undefined);
    // Data watches fire on any write; tell the listener only about real changes.
    const signature = JSON.stringify(live);
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    this.listener(live);
  }
}
