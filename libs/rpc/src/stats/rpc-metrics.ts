import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { CallWindow } from './call-window';

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Call statistics per service, method and provider (the Dubbo "monitor"
 * data), kept in the process and exposed on /metrics; `window` holds the
 * deltas since they were last shipped to stat.
 */
export class RpcMetrics {
  readonly clientCalls: Counter<'service' | 'method' | 'provider' | 'outcome'>;
  readonly clientLatency: Histogram<'service' | 'method' | 'provider'>;
  readonly serverCalls: Counter<'service' | 'method' | 'outcome'>;
  readonly serverLatency: Histogram<'service' | 'method'>;
  readonly serverInFlight: Gauge;
  /** Connections a provider dropped before serving them: unauthenticated, handshake_timeout, peer_limit, pending_limit. */
  readonly serverRefused: Counter<'reason'>;
  /** Deltas since the last drain, for the stat shipper. */
  readonly window = new CallWindow();
  /** This process's RPC address (host:port) once it serves RPC: the provider label of server-side window entries. */
  serverAddress = '';

  constructor(registry: Registry) {
    const registers = [registry];
    this.clientCalls = new Counter({ name: 'spear_rpc_client_calls_total', help: 'RPC calls made, by outcome (ok or error code)', labelNames: ['service', 'method', 'provider', 'outcome'], registers });
    this.clientLatency = new Histogram({ name: 'spear_rpc_client_latency_seconds', help: 'RPC call latency seen by the caller', labelNames: ['service', 'method', 'provider'], buckets: LATENCY_BUCKETS, registers });
    this.serverCalls = new Counter({ name: 'spear_rpc_server_calls_total', help: 'RPC calls served, by outcome', labelNames: ['service', 'method', 'outcome'], registers });
    this.serverLatency = new Histogram({ name: 'spear_rpc_server_latency_seconds', help: 'RPC handler time', labelNames: ['service', 'method'], buckets: LATENCY_BUCKETS, registers });
    this.serverInFlight = new Gauge({ name: 'spear_rpc_server_in_flight', help: 'RPC calls being handled', registers });
    this.serverRefused = new Counter({ name: 'spear_rpc_server_refused_connections_total', help: 'RPC connections dropped before any call was served, by reason', labelNames: ['reason'], registers });
  }

  recordClient(service: string, method: string, provider: string, outcome: string, seconds: number): void {
    this.clientCalls.inc({ service, method, provider, outcome });
    this.clientLatency.observe({ service, method, provider }, seconds);
    this.window.record('client', service, method, provider, outcome === 'ok', seconds * 1000);
  }

  recordServer(service: string, method: string, outcome: string, seconds: number): void {
    this.serverCalls.inc({ service, method, outcome });
    this.serverLatency.observe({ service, method }, seconds);
    this.window.record('server', service, method, this.serverAddress, outcome === 'ok', seconds * 1000);
  }
}
