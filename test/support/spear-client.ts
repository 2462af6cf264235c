import { io, type Socket } from 'socket.io-client';
import type { Ack, ReadyEvent } from '@spear/protocol';
import { issueToken } from '@spear/testing';

/** A token and a ticket for `uid` from ticket, as a client app would get them. */
export async function ticketFor(ticketUrl: string, uid: string): Promise<{ ticket: string; node: { id: string; url: string } }> {
  const token = await issueToken(ticketUrl, uid);
  const res = await fetch(`${ticketUrl}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid, token }) });
  if (res.status !== 200) throw new Error(`ticket for ${uid}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { ticket: string; node: { id: string; url: string } };
}

/** Connects with the stock socket.io-client as PROTOCOL.md says; resolves on connect (or rejects with connect_error's message). */
export function connectWithTicket(url: string, ticket: unknown): Promise<Socket> {
  const socket = io(url, { auth: { ticket }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** A connected user: the socket, its ready event, and every msg/group event it received. */
export interface TestUser {
  uid: string;
  socket: Socket;
  ready: ReadyEvent;
  msgs: Array<{ id: string; from: string; to: string; body: unknown; ts: number; cid?: string; seq?: number }>;
  groups: Array<{ id: string; group: string; from: string; body: unknown; ts: number }>;
  broadcasts: Array<{ id: string; body: unknown; ts: number }>;
  emit<T extends object = object>(event: string, payload: unknown): Promise<Ack<T>>;
  close(): void;
}

/** `device`: the v1.1 handshake's device (none: the connection is the device `default`). */
export async function connectUser(ticketUrl: string, uid: string, device?: string): Promise<TestUser> {
  const { ticket, node } = await ticketFor(ticketUrl, uid);
  const socket = io(node.url, { auth: { ticket, ...(device === undefined ? {} : { device }) }, transports: ['websocket'], reconnection: false, forceNew: true });
  const user = { uid, socket, msgs: [], groups: [], broadcasts: [] } as unknown as TestUser;
  socket.on('msg', (m) => user.msgs.push(m));
  socket.on('group', (m) => user.groups.push(m));
  socket.on('broadcast', (m) => user.broadcasts.push(m));
  user.ready = await new Promise<ReadyEvent>((resolve, reject) => {
    socket.once('ready', resolve);
    socket.once('connect_error', reject);
  });
  user.emit = (event, payload) => socket.timeout(10_000).emitWithAck(event, payload);
  user.close = () => socket.close();
  return user;
}

export { until } from '@spear/testing';
