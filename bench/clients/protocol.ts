/**
 * What the coordinator (ClientFleet, client-fleet.ts) and a load-generator
 * process (client-worker.ts) say to each other over IPC: one request at a
 * time, each answered once. Histograms travel encoded (histogram.ts).
 */
import type { Connector } from './connect-user';

export type { Connector } from './connect-user';

/**
 * How a worker pairs its own users into sender → receiver for 1:1 traffic:
 * `mixed`, half of the pairs across nodes and half within one node (what a
 * real population looks like with two nodes); `cross`, every pair across
 * nodes (users left over on the bigger node stay idle).
 */
export type Pairing = 'mixed' | 'cross';

export type ToClients =
  | { type: 'connect'; connector: Connector; users: Array<{ uid: string; index: number }>; localAddress: string; concurrency: number; ack: boolean; ackDelayMs: number; pairing: Pairing }
  | { type: 'join'; group: string }
  /** `share` (0–1], default 1: only that share of the pairs take part, spread evenly over them (cross and same-node alike). */
  | { type: 'direct'; k: number; rate: number; seconds: number; drainMs: number; share?: number }
  | { type: 'fanout'; k: number; group: string; rate: number; seconds: number; drainMs: number; publish: boolean }
  | { type: 'sequential'; k: number; count: number; timeoutMs: number }
  | { type: 'verify'; waitMs: number }
  | { type: 'collect' }
  | { type: 'stop' };

export interface ConnectReport {
  connected: number;
  failed: number;
  firstError?: string;
  /** From the request to the last ready (or failure), ms; and each connection's time to ready. */
  ms: number;
  readyMs: string;
  nodes: Record<string, number>;
  crossPairs: number;
  samePairs: number;
}

export interface StepReport {
  sent: number;
  acked: number;
  refused: Record<string, number>;
  /** Received in total, and within the window after its ramp-in (`steadyMs` long). */
  received: number;
  receivedSteady: number;
  steadyMs: number;
  /** After the drain: sends never answered, and messages expected but not (yet) received. */
  unsettled: number;
  undelivered: number;
  latency: string;
  maxLagMs: number;
}

export interface SequentialReport {
  sent: number;
  acked: number;
  refused: Record<string, number>;
  /** Messages whose answer or receipt did not come within the timeout. */
  timeouts: number;
  /** Send → receipt, and send → the server's answer. */
  latency: string;
  ackLatency: string;
}

export interface VerifyReport {
  acked: number;
  lost: number;
  duplicates: number;
  misrouted: number;
  orderViolations: number;
  disconnects: number;
}

export type FromClients =
  | { type: 'ready' }
  | ({ type: 'connected' } & ConnectReport)
  | { type: 'joined'; members: number; failed: number }
  | ({ type: 'step' } & StepReport)
  | ({ type: 'sequential' } & SequentialReport)
  | ({ type: 'verify' } & VerifyReport)
  | { type: 'collected' }
  | { type: 'stopped' }
  | { type: 'error'; message: string };
