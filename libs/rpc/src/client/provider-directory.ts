import { zkPaths } from '@spear/catalog';
import type { Registry } from '@spear/registry';
import { isProviderData, type ProviderData } from '../provider-data';
import type { HandshakeKey } from '../wire/handshake';
import { ProviderConnection } from './provider-connection';

/**
 * The live providers of one service, kept in step with ZooKeeper by a child
 * watch; one ProviderConnection each. A provider that leaves is closed after
 * a grace period, so calls already sent to it can still get their replies.
 */
export class ProviderDirectory {
  private connections = new Map<string, ProviderConnection>();
  /** The current list, rebuilt only on change: balancers cache per list. */
  private list: ProviderConnection[] = [];
  private readonly stopWatch: () => void;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly service: string,
    registry: Registry,
    private readonly key: HandshakeKey,
    private readonly connectTimeoutMs: number,
    private readonly maxFrameBytes: number,
    private readonly onChange?: (service: string, providers: ProviderConnection[]) => void,
  ) {
    this.stopWatch = registry.watchChildren<unknown>(zkPaths.providers(service), (entries) => {
      this.update(entries.filter((e) => isProviderData(e.data)) as Array<{ name: string; data: ProviderData }>);
    });
  }

  get providers(): readonly ProviderConnection[] {
    return this.list;
  }

  /** Resolves when at least one provider is known, or after `timeoutMs` (whatever is known then). */
  async whenAny(timeoutMs: number): Promise<readonly ProviderConnection[]> {
    if (this.list.length > 0 || timeoutMs <= 0) return this.list;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
    return this.list;
  }

  close(): void {
    this.stopWatch();
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
    this.list = [];
  }

  private update(entries: Array<{ name: string; data: ProviderData }>): void {
    const next = new Map<string, ProviderConnection>();
    for (const { name, data } of entries) {
      const existing = this.connections.get(name);
      if (existing && existing.host === data.host && existing.port === data.port) {
        existing.weight = data.weight;
        next.set(name, existing);
      } else {
        next.set(name, new ProviderConnection(name, data.host, data.port, data.weight, this.key, this.connectTimeoutMs, this.maxFrameBytes));
      }
    }
    for (const [name, old] of this.connections) {
      // Replies of calls already sent may still come; close once they had their time.
      if (next.get(name) !== old) setTimeout(() => old.close(), 10_000).unref();
    }
    this.connections = next;
    this.list = [...next.values()];
    this.onChange?.(this.service, this.list);
    if (this.list.length > 0) for (const w of [...this.waiters]) w();
  }
}
