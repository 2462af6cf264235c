import { createServer } from 'node:net';

/**
 * Ports handed out come from here: below Linux's ephemeral range (32768+), so
 * an outgoing connection of any process cannot take one between our check and
 * the service's listen, and clear of the fixed ports of the local, test1 and
 * test2 profiles (8090-9120, 12181, 16379, 18090-19120, 19092, 28090-29120).
 */
const RANGE = { from: 20_000, to: 28_000 };
const handedOut = new Set<number>();

/**
 * An unused loopback TCP port, never the same twice in one process. The port
 * is released before this resolves, so another process could still grab it
 * first; engines and services fail loudly if so.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${RANGE.from}-${RANGE.to}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Throws when something already listens on 127.0.0.1:port. Checked before starting an
 * engine because its readiness probe would otherwise succeed against the stranger.
 */
export function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`${what}: port 127.0.0.1:${port} is not free (${err.code ?? err.message})`)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
