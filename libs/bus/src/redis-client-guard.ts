import type { Redis } from 'ioredis';
import type { Socket } from 'node:net';

/**
 * Hardens an ioredis client every Spear Redis client goes through (the bus's
 * two connections, each app's main client), before it connects:
 * - a refused AUTH or HELLO never carries the password on its error
 *   ({@link hideCredentialArguments});
 * - no socket error can become an uncaught exception
 *   ({@link keepSocketErrorsHandled}).
 */
export function guardRedisClient(redis: Redis): void {
  hideCredentialArguments(redis);
  keepSocketErrorsHandled(redis);
}

/** Commands whose arguments carry the password: AUTH, and HELLO with its AUTH clause (RESP3's handshake). */
const CREDENTIAL_COMMANDS = new Set(['auth', 'hello']);

/**
 * Blanks the arguments of a failed AUTH or HELLO on every error `redis`
 * reports. ioredis attaches the failed command, arguments included, to its
 * error (`error.command.args`: the user name and the password), rejects
 * every queued command with that same object and emits it as `error`; a
 * logger that serializes the whole error would print the password. The
 * listener goes first (prepended), and the rejections reach their handlers
 * only after the synchronous `error` listeners ran, so nobody sees the
 * arguments.
 */
export function hideCredentialArguments(redis: Redis): void {
  redis.prependListener('error', (error: unknown) => {
    const command = (error as { command?: { name?: unknown; args?: unknown } } | null)?.command;
    if (command && typeof command.name === 'string' && CREDENTIAL_COMMANDS.has(command.name.toLowerCase())) {
      command.args = ['(hidden)'];
    }
  });
}

/** What ioredis 6 keeps of its connector: the function that opens each new socket. */
interface Connector {
  connect(...args: unknown[]): Promise<Socket>;
}

const ignore = (): void => undefined;

/**
 * Gives every socket `redis` opens an `error` listener for its whole life.
 * ioredis 6 listens to its socket's errors with `once`; a TLS socket ended
 * by disconnect() during a handshake the client refuses (an untrusted or
 * misnamed certificate) errs twice, the refusal and then the server's alert,
 * and the second error would be an uncaught exception that ends the process.
 * ioredis still handles the first error as before. Wraps the client's
 * connector, an ioredis internal (pinned in package.json, as
 * batchTurns's are); throws if this ioredis has none.
 */
export function keepSocketErrorsHandled(redis: Redis): void {
  const connector = (redis as unknown as { connector?: Partial<Connector> }).connector;
  if (typeof connector?.connect !== 'function') throw new Error('keepSocketErrorsHandled: this ioredis has no connector.connect (ioredis 6 is pinned in package.json)');
  const connect = connector.connect.bind(connector);
  connector.connect = (...args: unknown[]) =>
    connect(...args).then((socket) => {
      socket.on('error', ignore);
      return socket;
    });
}
