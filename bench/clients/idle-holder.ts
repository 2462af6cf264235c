/**
 * Holds many idle socket.io connections for the idle-capacity benches
 * (idle-capacity.bench.ts, idle-four-nodes.bench.ts), in a child process
 * (the machine allows 20,000 file descriptors per process); the parent is an
 * IpcChild. Requests:
 *   connect {connector, users, localAddress}: connects them the way
 *     connect-user.ts does (Spear: a ticket each), 64 at a time, from
 *     `localAddress`; a connection counts once its `ready` arrives.
 *     Answers {type: 'connected', connected, failed, firstError}.
 *   stop: closes everything and exits (also when the parent goes away).
 */
import type { Socket } from 'socket.io-client';
import { serveParent } from '../support/serve-parent';
import { connectUser, type Connector } from './connect-user';

export type ToHolder = { type: 'connect'; connector: Connector; users: Array<{ uid: string; index: number }>; localAddress: string } | { type: 'stop' };
export interface HolderReport {
  connected: number;
  failed: number;
  firstError?: string;
}
export type FromHolder = { type: 'ready' } | ({ type: 'connected' } & HolderReport) | { type: 'stopped' } | { type: 'error'; message: string };

const LANES = 64;
const sockets: Socket[] = [];

async function connectAll(m: Extract<ToHolder, { type: 'connect' }>): Promise<FromHolder> {
  const report: HolderReport = { connected: 0, failed: 0 };
  let next = 0;
  const lane = async () => {
    while (next < m.users.length) {
      try {
        sockets.push((await connectUser(m.connector, m.users[next++]!, m.localAddress)).socket);
        report.connected++;
      } catch (error) {
        report.failed++;
        report.firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  return { type: 'connected', ...report };
}

serveParent<ToHolder>('bench/clients/idle-holder.ts', async (m) => {
  if (m.type === 'connect') return connectAll(m);
  for (const s of sockets) s.close();
  return { type: 'stopped' };
});
