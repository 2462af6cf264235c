import type { RedisAclUser } from './redis-acl';
import { tcpRequest } from './tcp-request';
import type { EngineStatus } from './types';

/**
 * True when Redis on 127.0.0.1:port answers PING with PONG; with `user`, after
 * AUTH as that user (a Redis whose `default` user is off answers NOAUTH otherwise).
 */
export async function redisPing(port: number, timeoutMs = 1_000, user?: RedisAclUser): Promise<boolean> {
  const reply = await redisRequest(port, ['PING'], { timeoutMs, user });
  return reply?.startsWith('+PONG') ?? false;
}

/** Quick Redis liveness check for a status command. */
export async function redisStatus(port: number, timeoutMs = 1_000, user?: RedisAclUser): Promise<EngineStatus> {
  return (await redisPing(port, timeoutMs, user))
    ? { up: true, detail: 'PONG' }
    : { up: false, detail: `no PONG from 127.0.0.1:${port}` };
}

/**
 * Sends `command` (with `user`: after AUTH) on a fresh connection; resolves
 * with the text of its reply (by default up to its first line end; `complete`
 * judges more), the AUTH reply when that was refused, or null when Redis did
 * not answer. No client library, and never hangs.
 */
export async function redisRequest(
  port: number,
  command: string[],
  options: { timeoutMs?: number; user?: RedisAclUser; complete?: (reply: string) => boolean } = {},
): Promise<string | null> {
  const { timeoutMs = 2_000, user, complete = (text: string) => text.includes('\r\n') } = options;
  // RESP arrays, not inline commands: a password is sent as it is, whatever it holds.
  const auth = user ? encode(['AUTH', user.username, user.password]) : '';
  // AUTH answers one line ("+OK" or "-WRONGPASS ..."); the command's reply follows it.
  const afterAuth = (text: string): string | null => {
    if (!user) return text;
    const end = text.indexOf('\r\n');
    return end === -1 ? null : text.slice(end + 2);
  };
  const refused = (text: string) => user !== undefined && text.startsWith('-') && text.includes('\r\n');
  const reply = await tcpRequest(port, auth + encode(command), {
    timeoutMs,
    complete: (text) => {
      if (refused(text)) return true;
      const rest = afterAuth(text);
      return rest !== null && complete(rest);
    },
  });
  if (reply === null) return null;
  if (refused(reply)) return reply.slice(0, reply.indexOf('\r\n'));
  return afterAuth(reply);
}

/** One command as a RESP array of bulk strings. */
function encode(args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}
