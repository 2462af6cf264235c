/**
 * How a load-generator client connects to each system under test:
 * Spear the way PROTOCOL.md says (a ticket from ticket for the user's token,
 * then the node the ticket names), B0 directly with auth {uid}. Tokens are
 * HS256 JWTs signed here with the profile's secret (PROTOCOL: "a token may
 * also be an HS256 JWT"), so no admin call per user is needed.
 * Resolves once the server's `ready` arrives.
 */
import { io, type Socket } from 'socket.io-client';
import { keepAliveFetch, signJwt } from '@spear/testing';

export type Connector = { kind: 'spear'; ticketUrl: string; jwtSecret: string } | { kind: 'b0'; urls: string[] };

const READY_TIMEOUT_MS = 60_000;

/** A token for `uid`, valid for an hour. */
const tokenFor = (uid: string, secret: string) => signJwt({ sub: uid, exp: Math.floor(Date.now() / 1000) + 3600 }, secret);

async function spearTicket(c: Extract<Connector, { kind: 'spear' }>, uid: string): Promise<{ url: string; auth: object }> {
  const res = await keepAliveFetch(`${c.ticketUrl}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid, token: tokenFor(uid, c.jwtSecret) }) });
  if (res.status !== 200) throw new Error(`ticket for ${uid}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { ticket: string; node: { url: string } };
  return { url: body.node.url, auth: { ticket: body.ticket } };
}

/** B0 users are spread over its processes by their index (B0 has no ring: any process serves anyone). */
const b0Target = (c: Extract<Connector, { kind: 'b0' }>, uid: string, index: number) => ({ url: c.urls[index % c.urls.length]!, auth: { uid } });

export async function connectUser(c: Connector, user: { uid: string; index: number }, localAddress: string): Promise<{ socket: Socket; node: string }> {
  const { url, auth } = c.kind === 'spear' ? await spearTicket(c, user.uid) : b0Target(c, user.uid, user.index);
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, localAddress } as Parameters<typeof io>[1]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${user.uid}: no ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    };
    socket.once('ready', (ready: { node: string }) => {
      clearTimeout(timer);
      resolve({ socket, node: String(ready.node) });
    });
    socket.once('connect_error', (error) => fail(new Error(`${user.uid}: connect_error ${error.message}`)));
  });
}
