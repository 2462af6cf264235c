import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { zkPaths } from '@spear/catalog';
import type { Registry } from '@spear/registry';
import { createCluster, type ClusterStrategy } from '../cluster';
import { RpcError } from '../errors';
import { createLoadBalancer, type LoadBalancer } from '../loadbalance';
import { patternKey, type RpcPattern } from '../pattern';
import type { RpcMetrics } from '../stats/rpc-metrics';
import { ProviderDirectory } from './provider-directory';
import { DEFAULT_SERVICE_POLICY, type ServicePolicy } from './service-policy';
import { DEFAULT_MAX_FRAME_BYTES } from '../wire/frame-codec';
import { HandshakeKey } from '../wire/handshake';
import type { ProviderConnection } from './provider-connection';

export interface RpcClientOptions {
  registry: Registry;
  /** The secret this process proves it holds to every provider, and checks that they hold (wire/handshake.ts). */
  clusterSecret: string;
  /** The largest reply accepted (default DEFAULT_MAX_FRAME_BYTES); a larger one closes the connection. */
  maxFrameBytes?: number;
  metrics?: RpcMetrics;
  /** Per-service policies over DEFAULT_SERVICE_POLICY (profile: rpc.services). */
  services?: Record<string, Partial<ServicePolicy>>;
  defaults?: Partial<ServicePolicy>;
  /** How long a call waits for a service's first providers to be discovered. */
  discoveryWaitMs?: number;
}

/** Per-call overrides. */
export interface CallOptions {
  timeoutMs?: number;
  retrySafe?: boolean;
  /** Key for the consistent-hash balancer (default: String(data)). */
  hashKey?: string;
}

interface ServiceState {
  directory: ProviderDirectory;
  policy: ServicePolicy;
  balancer: LoadBalancer;
  cluster: ClusterStrategy;
}

/**
 * Nest client proxy for Spear RPC: discovers providers in ZooKeeper, keeps
 * one multiplexed connection per provider, picks one per call with the
 * service's load balancer and survives failures with its cluster strategy.
 * `call()` is the fast path (a Promise, no Observable); `send()` works as
 * with any Nest client.
 *
 * Guarantee: every call settles (result or RpcError: `no_provider`,
 * `timeout`, `connection_lost`, or the handler's own code) within
 * (retries + 1) × timeout plus discovery wait; none stays pending.
 */
export class RpcClient extends ClientProxy {
  private readonly services = new Map<string, ServiceState>();
  private closed = false;
  private readonly key: HandshakeKey;

  constructor(private readonly options: RpcClientOptions) {
    super();
    this.key = new HandshakeKey(options.clusterSecret);
  }

  /** Calls `service.method(data)` and resolves with its result. */
  async call<T = unknown>(service: string, method: string, data: unknown = null, options: CallOptions = {}): Promise<T> {
    if (this.closed) throw new RpcError('shutting_down', 'rpc client is closed');
    const state = this.state(service);
    const { policy } = state;
    if (state.directory.providers.length === 0) await state.directory.whenAny(this.options.discoveryWaitMs ?? 1000);
    const pattern = patternKey(service, method);
    const invocation = { service, method, args: [data], hashKey: options.hashKey };
    const timeoutMs = options.timeoutMs ?? policy.timeoutMs;
    const select = (exclude: ReadonlySet<ProviderConnection>) => {
      const all = state.directory.providers;
      return state.balancer.select(exclude.size === 0 ? all : all.filter((p) => !exclude.has(p)), invocation);
    };
    const attempt = async (provider: ProviderConnection) => {
      const started = performance.now();
      try {
        const result = await provider.request(pattern, data, timeoutMs);
        this.options.metrics?.recordClient(service, method, provider.id, 'ok', (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        const code = error instanceof RpcError ? error.code : 'error';
        this.options.metrics?.recordClient(service, method, provider.id, code, (performance.now() - started) / 1000);
        throw error;
      }
    };
    const retrySafe = options.retrySafe ?? policy.retrySafe.includes(method);
    try {
      return (await state.cluster.invoke(select, attempt, { timeoutMs, retries: policy.retries, retrySafe })) as T;
    } catch (error) {
      if (error instanceof RpcError && error.code === 'no_provider') {
        throw new RpcError('no_provider', `no live provider of ${service} (under ${this.options.registry.root}${zkPaths.providers(service)})`);
      }
      throw error;
    }
  }

  /** Fire-and-forget to one provider (at-most-once; dropped when none is reachable). */
  async notify(service: string, method: string, data: unknown): Promise<void> {
    const state = this.state(service);
    const provider = state.balancer.select(state.directory.providers, { service, method, args: [data] });
    if (!provider) throw new RpcError('no_provider', `no live provider of ${service}`);
    await provider.notify(patternKey(service, method), data);
  }

  /** The providers currently known for a service (for dashboards and tests). */
  providers(service: string): readonly ProviderConnection[] {
    return this.state(service).directory.providers;
  }

  async connect(): Promise<void> {
    // Connections are per provider and made on first use.
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { directory } of this.services.values()) directory.close();
    this.services.clear();
  }

  unwrap<T>(): T {
    return this.services as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const { service, method } = toPattern(packet.pattern);
    this.call(service, method, packet.data).then(
      (response) => callback({ response, isDisposed: true }),
      (err: unknown) => callback({ err, isDisposed: true }),
    );
    return () => undefined;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const { service, method } = toPattern(packet.pattern);
    await this.notify(service, method, packet.data);
    return undefined as T;
  }

  private state(service: string): ServiceState {
    let state = this.services.get(service);
    if (!state) {
      const policy: ServicePolicy = { ...DEFAULT_SERVICE_POLICY, ...this.options.defaults, ...this.options.services?.[service] };
      state = {
        policy,
        directory: new ProviderDirectory(service, this.options.registry, this.key, Math.min(policy.timeoutMs, 1000), this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES),
        balancer: createLoadBalancer(policy.loadbalance),
        cluster: createCluster(policy.cluster),
      };
      this.services.set(service, state);
    }
    return state;
  }
}

function toPattern(pattern: unknown): RpcPattern {
  const p = pattern as Partial<RpcPattern>;
  if (typeof p?.service !== 'string' || typeof p.method !== 'string') throw new RpcError('bad_request', 'pattern must be {service, method}');
  return { service: p.service, method: p.method };
}
