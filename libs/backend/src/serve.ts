import { ZooKeeperRegistry } from '@spear/registry';
import { patternKey, RpcServer } from '@spear/rpc';
import { dispatchHook, dispatchRpc } from './dispatch';
import { Pusher, type PushTarget } from './push';
import { HOOK_NAMES, type Hooks, type MethodHandler, type RpcCall } from './types';

export interface BackendOptions {
  /**
   * The service name: the profile names it in routes and hooks, e.g.
   * `{"match": "chat.", "backend": {"service": "chat", "method": "rpc"}}` and
   * `{"backend": {"service": "chat", "method": "hook.connect"}}`.
   */
  name: string;
  /**
   * The deployment's ZooKeeper: the profile's `zookeeper.connect`, `zookeeper.root`
   * and `zookeeper.user` (default `spear`), and its password (`SPEAR_ZK_PASSWORD`).
   */
  zookeeper: { connect: string; root: string; user?: string; password: string; sessionTimeoutMs?: number };
  /** The deployment's RPC cluster secret (`SPEAR_CLUSTER_SECRET`): the gateways and this backend prove it to each other. */
  clusterSecret: string;
  /** Where this provider listens (default 127.0.0.1, a free port) and its share of calls (weight, default 1). */
  host?: string;
  port?: number;
  weight?: number;
  /** Handlers of routed `rpc` calls, by method name (or a prefix ending in `.`). */
  methods?: Record<string, MethodHandler>;
  hooks?: Hooks;
  /** To push as `svc:<name>` (ticket's URL and the admin key). */
  push?: PushTarget;
}

/** A running backend: a Spear RPC provider registered in ZooKeeper. */
export interface Backend {
  /** The address other processes reach it at. */
  readonly address: string;
  /** Pushes as `svc:<name>`; only when `push` was given. */
  readonly push: Pusher;
  /** Unregisters, lets in-flight calls finish (bounded), and closes. */
  close(): Promise<void>;
}

/**
 * Serves an app's methods and hooks to the spear gateways as a Spear RPC
 * provider: service `name`, method `rpc` for routed calls (dispatched by
 * method name) and `hook.<hook>` for each hook given. It registers in
 * ZooKeeper like every provider: the gateways find it, balance over every
 * instance of the service and fail over when one dies.
 *
 * Guarantee: each call runs at most once here (the gateway retries on
 * another instance only where the route says `retrySafe`).
 */
export async function serveBackend(options: BackendOptions): Promise<Backend> {
  const { connect, root, user = 'spear', password, sessionTimeoutMs = 10_000 } = options.zookeeper;
  const registry = new ZooKeeperRegistry({ connect, root, sessionTimeoutMs, connectTimeoutMs: 10_000, auth: { user, password } });
  await registry.ready();
  const host = options.host ?? '127.0.0.1';
  const server = new RpcServer({ host, port: options.port ?? 0, weight: options.weight ?? 1, version: 'backend', registry, clusterSecret: options.clusterSecret, drainTimeoutMs: 5000 });
  const methods = options.methods ?? {};
  const hooks = options.hooks ?? {};
  server.addHandler(patternKey(options.name, 'rpc'), (call: unknown) => dispatchRpc(methods, call as RpcCall));
  for (const hook of HOOK_NAMES) if (hooks[hook]) server.addHandler(patternKey(options.name, `hook.${hook}`), (call: unknown) => dispatchHook(hooks, hook, call));
  try {
    await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve())));
  } catch (error) {
    await registry.close();
    throw error;
  }
  const from = `svc:${options.name}`;
  return {
    address: `${host}:${server.port}`,
    push: new Pusher(options.push ?? { ticketUrl: 'http://push.not.configured', adminKey: '' }, from),
    async close() {
      await server.close();
      await registry.close();
    },
  };
}
