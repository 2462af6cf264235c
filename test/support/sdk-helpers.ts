import { connect, type ConnectOptions, type MsgEvent, type SpearClient } from '@spear/client';
import { adminHeaders, issueToken } from '@spear/testing';
import type { TestBed } from './engines-and-cluster';
import { ticketFor } from './spear-client';

/** A uid (prefix-0, prefix-1...) whose tickets name `nodeId` (the ring decides, so we probe). */
export async function uidOn(bed: TestBed, nodeId: string, prefix: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const uid = `${prefix}-${i}`;
    if ((await ticketFor(bed.cluster.ticketUrl, uid)).node.id === nodeId) return uid;
  }
  throw new Error(`no uid with prefix ${prefix} maps to ${nodeId}`);
}

/** An SDK client plus everything it handed over, for assertions. */
export interface Recorded {
  client: SpearClient;
  token: string;
  msgs: MsgEvent[];
  events: string[];
}

/**
 * Connects `uid` through the SDK and records its msg events from the moment
 * connect() resolves (the SDK holds what arrived before a handler existed).
 */
export async function sdkUser(bed: TestBed, uid: string, options: Partial<ConnectOptions> = {}): Promise<Recorded> {
  const token = await issueToken(bed.cluster.ticketUrl, uid);
  const client = await connect({ ticketUrl: bed.cluster.ticketUrl, uid, token, ...options });
  const recorded: Recorded = { client, token, msgs: [], events: [] };
  client.on('msg', (m) => void recorded.msgs.push(m));
  for (const kind of ['reconnecting', 'reconnected', 'error'] as const) client.on(kind, (e) => void recorded.events.push(`${kind}:${'code' in e ? e.code : 'reason' in e ? e.reason : e.node}`));
  return recorded;
}

/** `POST /v1/push/groups` with the admin key (works with no spear node up: it writes the history directly). */
export async function pushToGroup(ticketUrl: string, group: string, body: unknown): Promise<string> {
  const res = await fetch(`${ticketUrl}/v1/push/groups`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify({ group, body }) });
  if (res.status !== 202) throw new Error(`push to ${group}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** `DELETE /v1/tokens/{token}` with the admin key. */
export async function revokeToken(ticketUrl: string, token: string): Promise<void> {
  const res = await fetch(`${ticketUrl}/v1/tokens/${encodeURIComponent(token)}`, { method: 'DELETE', headers: adminHeaders() });
  if (res.status !== 204) throw new Error(`revoke: HTTP ${res.status} ${await res.text()}`);
}
