/**
 * A child process holding many SDK clients (libs/client) for the fault
 * suite's node-crash scenario (the `sdk` fleet; test/support/fleet-go is the
 * cheaper `go` one with the same requests): the machine caps file descriptors
 * per process, so large fleets are spread over several of these. Forked with IPC
 * (advanced serialization) by test/support/fleet.ts; exits with its parent.
 *
 * Requests (each answered once, in order):
 *   connect  {ticketUrl, users: [{uid, token}]}: connects them (bounded concurrency)
 *   status   {node}: how many are connected, per node, and for the clients
 *            that were on `node` at the first such request, when each was
 *            connected again elsewhere
 *   traffic  {senders, intervalMs, targets}: the first `senders` clients send
 *            to random targets until `stop-traffic`
 *   stop-traffic: answers every send outcome
 *   received: answers the message ids each client got (duplicates already dropped)
 */
import { connect, SpearError, type SpearClient } from '@spear/client';
import { keepAliveFetch } from '@spear/testing';

export type ToFleet =
  | { type: 'connect'; ticketUrl: string; users: Array<{ uid: string; token: string }> }
  | { type: 'status'; node?: string }
  | { type: 'traffic'; senders: number; intervalMs: number; targets: string[] }
  | { type: 'stop-traffic' }
  | { type: 'received' };

export interface FleetStatus {
  connected: number;
  byNode: Record<string, number>;
  /** For clients whose node was `node` when asked: ms since epoch they were connected elsewhere, or 0. */
  movedAt: number[];
  /** Reconnect attempts started by every client so far, and why earlier attempts failed (code -> count). */
  attempts: number;
  failures: Record<string, number>;
}

export interface FleetSend {
  to: string;
  at: number;
  id?: string;
  code?: string;
}

interface Member {
  uid: string;
  client: SpearClient;
  received: string[];
  lastReadyAt: number;
}

const members: Member[] = [];
const sends: FleetSend[] = [];
let attempts = 0;
const failures: Record<string, number> = {};
let trafficOn = false;
const reply = (m: unknown) => process.send!(m);

async function connectAll(ticketUrl: string, users: Array<{ uid: string; token: string }>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < users.length) {
      const { uid, token } = users[next++]!;
      const client = await connect({ ticketUrl, uid, token, timeoutMs: 10_000, connectTimeoutMs: 60_000, backoff: { minMs: 200, maxMs: 2000 }, fetch: keepAliveFetch });
      const member: Member = { uid, client, received: [], lastReadyAt: Date.now() };
      client.on('msg', (m) => void member.received.push(m.id));
      client.on('reconnected', () => void (member.lastReadyAt = Date.now()));
      client.on('reconnecting', ({ error }) => {
        attempts++;
        if (error) failures[error.code] = (failures[error.code] ?? 0) + 1;
      });
      members.push(member);
    }
  };
  await Promise.all(Array.from({ length: 100 }, lane));
}

/** The clients on the node named in the first status request; later answers say when each was connected elsewhere. */
let watched: Member[] = [];

function status(node?: string): FleetStatus {
  if (node !== undefined && watched.length === 0) watched = members.filter((m) => m.client.session?.node === node);
  const byNode: Record<string, number> = {};
  let connected = 0;
  for (const m of members) {
    const current = m.client.connected ? m.client.session?.node : undefined;
    if (!current) continue;
    connected++;
    byNode[current] = (byNode[current] ?? 0) + 1;
  }
  const movedAt = watched.map((m) => (m.client.connected && m.client.session?.node !== node ? m.lastReadyAt : 0));
  return { connected, byNode, movedAt, attempts, failures: { ...failures } };
}

function traffic(senders: number, intervalMs: number, targets: string[]): void {
  trafficOn = true;
  for (const m of members.slice(0, senders)) {
    void (async () => {
      while (trafficOn) {
        const to = targets[Math.floor(Math.random() * targets.length)]!;
        const at = Date.now();
        try {
          sends.push({ to, at, id: (await m.client.send(to, { at })).id });
        } catch (error) {
          sends.push({ to, at, code: error instanceof SpearError ? error.code : String(error) });
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
  }
}

process.on('message', (message: ToFleet) => {
  void (async () => {
    switch (message.type) {
      case 'connect':
        await connectAll(message.ticketUrl, message.users);
        return reply({ ok: true, connected: members.length });
      case 'status':
        return reply(status(message.node));
      case 'traffic':
        traffic(message.senders, message.intervalMs, message.targets);
        return reply({ ok: true });
      case 'stop-traffic':
        trafficOn = false;
        // Let sends in flight finish (bounded by the client's timeout).
        await new Promise((r) => setTimeout(r, 2000));
        return reply({ sends });
      case 'received':
        return reply({ received: Object.fromEntries(members.map((m) => [m.uid, m.received])) });
    }
  })().catch((error: unknown) => reply({ error: String(error) }));
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
