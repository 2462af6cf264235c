import { createClient } from 'node-zookeeper-client';
import { sleep } from './sleep';

/**
 * Forces the expiry of a live ZooKeeper session, as a long network partition
 * would: a second client joins the session with its id and password and
 * closes it, so the server ends the session and drops its ephemeral nodes.
 * The victim reconnecting first can win that race and keep its session, so
 * this repeats until `expired()` says so (bounded).
 */
export async function expireZooKeeperSession(
  connect: string,
  session: { id: Buffer; password: Buffer },
  expired: () => boolean | Promise<boolean>,
  attempts = 10,
): Promise<void> {
  const waitFor = async (ms: number) => {
    for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(100)) if (await expired()) return true;
    return expired();
  };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const options = { sessionId: session.id, sessionPassword: session.password, sessionTimeout: 4000 };
    const intruder = createClient(connect, options as Parameters<typeof createClient>[1]);
    // 'expired' here means an earlier attempt already ended the session.
    const outcome = new Promise<'connected' | 'expired'>((resolve) => {
      intruder.once('connected', () => resolve('connected'));
      intruder.once('expired', () => resolve('expired'));
    });
    intruder.connect();
    const result = await Promise.race([outcome, sleep(5000).then(() => 'stalled' as const)]);
    intruder.close();
    if (await waitFor(result === 'expired' ? 10_000 : 3000)) return;
  }
  throw new Error(`ZooKeeper session ${session.id.toString('hex')} did not expire after ${attempts} attempts`);
}
