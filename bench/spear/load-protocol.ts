/**
 * What bench/spear/cross-node.bench.ts and its load generator
 * (load-worker.ts) say to each other over IPC: requests, and one answer each.
 */
export interface UserSpec {
  uid: string;
  token: string;
  /** The node ticket assigned when the pairs were chosen. */
  node: string;
}

export interface PairSpec {
  sender: UserSpec;
  receiver: UserSpec;
}

export type ToWorker =
  | { type: 'connect'; ticketUrl: string; pairs: PairSpec[] }
  | { type: 'sequential'; count: number }
  | { type: 'step'; step: number; rate: number; seconds: number; drainMs: number }
  | { type: 'verify'; waitMs: number }
  | { type: 'stop' };

export interface StepReport {
  step: number;
  /** Sends emitted, and of those acked ok / refused by the server. */
  sent: number;
  acked: number;
  refused: Record<string, number>;
  /** Messages of this step received in total, within the step's window, and within its steady part (the window after its first second). */
  received: number;
  receivedInWindow: number;
  receivedSteady: number;
  steadyMs: number;
  /** Acked by the server in the window. */
  ackedInWindow: number;
  windowMs: number;
  drainMs: number;
  /** After the drain: sends without a server ack, acked messages not (yet) received. */
  unsettled: number;
  undelivered: number;
  /** Send→receive and send→ack, ms, every sample. */
  latency: Float64Array;
  ackLatency: Float64Array;
  /** How far the schedule fell behind at worst (the generator could not keep up), ms. */
  maxLagMs: number;
}

export interface VerifyReport {
  acked: number;
  received: number;
  /** Acked by the server, never received. */
  lost: number;
  lostSample: string[];
  /** Received more than once (same id), received by the wrong user, received though never acked. */
  duplicates: number;
  misrouted: number;
  unknown: number;
  /** A receiver saw a sender's sequence number go backwards. */
  orderViolations: number;
  /** `ack` events refused, socket disconnects and migrate events while the bench ran. */
  ackErrors: number;
  disconnects: number;
  migrates: number;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'connected'; sockets: number; ms: number }
  | { type: 'sequential'; latency: Float64Array; ackLatency: Float64Array; timeouts: number }
  | ({ type: 'step' } & StepReport)
  | ({ type: 'verify' } & VerifyReport)
  | { type: 'stopped' }
  | { type: 'error'; message: string };
