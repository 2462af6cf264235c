import { tcpRequest } from './tcp-request';
import type { EngineStatus } from './types';

/**
 * The server mode from the `srvr` four-letter word ("standalone", "leader",
 * "follower", ...), or null when nothing answers on 127.0.0.1:port.
 */
export async function zkStatus(port: number, timeoutMs = 1_000): Promise<string | null> {
  const reply = await tcpRequest(port, 'srvr', { timeoutMs });
  return reply?.match(/^Mode: (\S+)/m)?.[1] ?? null;
}

/** Quick ZooKeeper liveness check for a status command. */
export async function zooKeeperStatus(port: number, timeoutMs = 1_000): Promise<EngineStatus> {
  const mode = await zkStatus(port, timeoutMs);
  return mode ? { up: true, detail: `mode ${mode}` } : { up: false, detail: `no answer to srvr on 127.0.0.1:${port}` };
}
