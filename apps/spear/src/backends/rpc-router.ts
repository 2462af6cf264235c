import { Counter, Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import type { RouteConfig } from '@spear/config';
import type { RpcCaller, RpcRoutes } from '@spear/delivery';
import { APP_ERROR_CODE, AppError, encodedSize, ProtocolError } from '@spear/protocol';
import { BackendCallError, type BackendCaller } from './backend-caller';

/** What a backend answers a routed call: `{data}` (the key present, any JSON) or `{error: {code, message}}` (PROTOCOL.md v1.1). */
const answerSchema = z.union([
  z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) }),
  z.object({ data: z.unknown() }).refine((answer) => Object.hasOwn(answer, 'data'), 'no data'),
]);

interface RouterLogger {
  warn(o: object, m?: string): void;
}

/**
 * The profile's `rpc` routes over the app's backends. The most specific
 * route wins: an exact match, then the longest prefix ending in `.`. Each
 * call is bounded by its route's timeout (discovery and failover included);
 * every outcome is counted per route.
 */
export class RpcRouter implements RpcRoutes {
  private readonly exact = new Map<string, RouteConfig>();
  /** Longest first, so the first that matches is the most specific. */
  private readonly prefixes: RouteConfig[];
  private readonly calls: Counter<'route' | 'outcome'>;
  private readonly seconds: Histogram<'route'>;

  constructor(
    routes: readonly RouteConfig[],
    private readonly backend: BackendCaller,
    private readonly options: { maxBodyBytes: number; logger: RouterLogger; registry: Registry },
  ) {
    for (const route of routes) if (!route.match.endsWith('.')) this.exact.set(route.match, route);
    this.prefixes = routes.filter((r) => r.match.endsWith('.')).sort((a, b) => b.match.length - a.match.length);
    const registers = [options.registry];
    this.calls = new Counter({ name: 'spear_rpc_route_calls_total', help: 'Client rpc calls by route and outcome (ok, or the error code)', labelNames: ['route', 'outcome'], registers });
    this.seconds = new Histogram({ name: 'spear_rpc_route_seconds', help: 'Client rpc call time through the gateway, by route', labelNames: ['route'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers });
  }

  /** The route of `method`, if any. */
  routeOf(method: string): RouteConfig | undefined {
    return this.exact.get(method) ?? this.prefixes.find((r) => method.startsWith(r.match));
  }

  async call(caller: RpcCaller, method: string, data: unknown): Promise<unknown> {
    const route = this.routeOf(method);
    if (!route) {
      this.calls.inc({ route: '(none)', outcome: 'not_found' });
      throw new ProtocolError('not_found', `no route for ${method}`);
    }
    const stop = this.seconds.startTimer({ route: route.match });
    try {
      const result = await this.send(route, caller, method, data);
      this.calls.inc({ route: route.match, outcome: 'ok' });
      return result;
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'internal';
      this.calls.inc({ route: route.match, outcome: error instanceof AppError ? 'app_error' : code });
      throw error;
    } finally {
      stop();
    }
  }

  private async send(route: RouteConfig, caller: RpcCaller, method: string, data: unknown): Promise<unknown> {
    const size = encodedSize(data);
    if (size > this.options.maxBodyBytes) throw new ProtocolError('too_large', `data is ${size} bytes; at most ${this.options.maxBodyBytes}`);
    let raw: unknown;
    try {
      raw = await this.backend.call(route.backend, { ...caller, method, data }, { timeoutMs: route.timeoutMs, hashKey: caller.uid, retrySafe: route.retrySafe });
    } catch (error) {
      throw this.failure(error, method);
    }
    const answer = answerSchema.safeParse(raw);
    if (!answer.success) {
      this.options.logger.warn({ method, route: route.match }, 'a backend answered an rpc call with neither data nor error');
      throw new ProtocolError('internal', `the backend of ${method} answered malformed`);
    }
    if ('error' in answer.data) throw appError(answer.data.error.code, answer.data.error.message ?? '', method);
    const result = answer.data.data ?? null;
    // What the client gets is bounded as what it sends is.
    if (encodedSize(result) > this.options.maxBodyBytes) {
      this.options.logger.warn({ method, route: route.match }, 'a backend answered an rpc call with data over delivery.maxBodyBytes');
      throw new ProtocolError('internal', `the backend of ${method} answered more than ${this.options.maxBodyBytes} bytes`);
    }
    return result;
  }

  private failure(error: unknown, method: string): Error {
    if (!(error instanceof BackendCallError)) return new ProtocolError('internal', `the backend of ${method} failed`);
    if (error.reason === 'timeout') return new ProtocolError('timeout', `the backend of ${method} did not answer in time`);
    if (error.reason === 'unavailable') return new ProtocolError('unavailable', `no live backend for ${method}`);
    if (error.reason === 'no_method') return new ProtocolError('not_found', `the backend has no method ${method}`);
    if (error.appCode) return appError(error.appCode, error.message, method);
    this.options.logger.warn({ method, err: error.message }, 'rpc backend failed');
    return new ProtocolError('internal', `the backend of ${method} failed`);
  }
}

/** The backend's own code when it is lowercase snake case; anything else is an `internal` failure. */
function appError(code: string, message: string, method: string): Error {
  return APP_ERROR_CODE.test(code) ? new AppError(code, message) : new ProtocolError('internal', `the backend of ${method} failed with a malformed code`);
}
