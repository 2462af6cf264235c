import { tcpRequest } from './tcp-request';
import type { EngineStatus } from './types';

/** True when Redis on 127.0.0.1:port answers PING with PONG. */
export async function redisPing(port: number, timeoutMs = 1_000): Promise<boolean> {
  // Inline command form; Redis replies "+PONG\r\n" (or "-ERR ...", e.g. while loading data).
  const reply = await tcpRequest(port, 'PING\r\n', { timeoutMs, complete: (text) => text.includes('\r\n') });
  return reply?.startsWith('+PONG') ?? false;
}

/** Quick Redis liveness check for a status command. */
export async function redisStatus(port: number, timeoutMs = 1_000): Promise<EngineStatus> {
  return (await redisPing(port, timeoutMs))
    ? { up: true, detail: 'PONG' }
    : { up: false, detail: `no PONG from 127.0.0.1:${port}` };
}
