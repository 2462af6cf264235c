import { createClient } from 'node-zookeeper-client';
import { withTimeout } from './with-timeout';

/**
 * Forces the expiry of a live ZooKeeper session, as a long network partition
 * would: a second client joins the session with its id and password and
 * closes it, so the server ends the session and drops its ephemeral nodes.
 * The original client learns of it on its next contact with the server.
 */
export async function expireZooKeeperSession(connect: string, session: { id: Buffer; password: Buffer }): Promise<void> {
  const options = { sessionId: session.id, sessionPassword: session.password, sessionTimeout: 4000 };
  const intruder = createClient(connect, options as Parameters<typeof createClient>[1]);
  const connected = new Promise<void>((resolve) => intruder.once('connected', () => resolve()));
  intruder.connect();
  await withTimeout(connected, 10_000, `joining ZooKeeper session ${session.id.toString('hex')}`);
  intruder.close();
}
