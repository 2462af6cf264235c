import type { ConnectOptions } from './options';
import { SpearClient } from './spear-client';

/**
 * Connects user `uid` to Spear: a ticket from `ticketUrl`, a socket.io
 * connection to the node it names, resolved after the first `ready`. The
 * returned client reconnects by itself (with a new ticket each time) until
 * `close()`. See SpearClient for the guarantees.
 */
export function connect(options: ConnectOptions): Promise<SpearClient> {
  return SpearClient.connect(options);
}
