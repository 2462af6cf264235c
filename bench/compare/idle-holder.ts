/**
 * Holds many idle socket.io connections for bench/compare/idle-capacity.bench.ts,
 * in a child process (the machine allows 20,000 file descriptors per process).
 * Forked with IPC. Requests:
 *   connect {mode, url, users, localAddress}: Spear users get a ticket from
 *     `url` (ticket) and connect where it says; B0 users connect to `url` with
 *     auth {uid}. Each connection counts once its `ready` arrives.
 *     Answers {connected, failed, firstError}.
 *   stop: closes everything and exits (also when the parent goes away).
 */
import { io, type Socket } from 'socket.io-client';
import { keepAliveFetch } from '@spear/testing';

export type ToHolder = { type: 'connect'; mode: 'spear' | 'b0'; url: string; users: Array<{ uid: string; token?: string }>; localAddress: string } | { type: 'stop' };
export interface HolderReport {
  connected: number;
  failed: number;
  firstError?: string;
}

const sockets: Socket[] = [];
/** POST /v1/tickets over keep-alive HTTP (cheaper per call than fetch). */
async function ticketFor(ticketUrl: string, uid: string, token: string): Promise<{ ticket: string; node: { url: string } }> {
  const res = await keepAliveFetch(`${ticketUrl}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid, token }) });
  if (res.status !== 200) throw new Error(`ticket for ${uid}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { ticket: string; node: { url: string } };
}

async function connectOne(m: Extract<ToHolder, { type: 'connect' }>, user: { uid: string; token?: string }): Promise<void> {
  let url = m.url;
  let auth: object = { uid: user.uid };
  if (m.mode === 'spear') {
    const t = await ticketFor(m.url, user.uid, user.token!);
    url = t.node.url;
    auth = { ticket: t.ticket };
  }
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, localAddress: m.localAddress } as Parameters<typeof io>[1]);
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${user.uid}: no ready within 30 s`)), 30_000);
    socket.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function connectAll(m: Extract<ToHolder, { type: 'connect' }>): Promise<HolderReport> {
  const report: HolderReport = { connected: 0, failed: 0 };
  let next = 0;
  const lane = async () => {
    while (next < m.users.length) {
      const user = m.users[next++]!;
      try {
        await connectOne(m, user);
        report.connected++;
      } catch (error) {
        report.failed++;
        report.firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, lane));
  return report;
}

process.on('message', (m: ToHolder) => {
  if (m.type === 'stop') {
    for (const s of sockets) s.close();
    process.exit(0);
  }
  void connectAll(m).then((r) => process.send!(r));
});
process.on('disconnect', () => process.exit(0));
