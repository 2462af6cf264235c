/**
 * The bench's backend, in its own process: libs/backend serving `benchsvc`
 * with a no-op method. argv: ZooKeeper connect string, root. Answers `cpu`
 * requests over IPC with its CPU time (µs) so the bench can charge it.
 */
import { serveBackend } from '@spear/backend';

const [connect, root] = process.argv.slice(2) as [string, string];

async function main(): Promise<void> {
  await serveBackend({ name: 'benchsvc', zookeeper: { connect, root }, methods: { 'bench.noop': () => null } });
  process.on('message', () => {
    const u = process.cpuUsage();
    process.send?.({ cpuUs: u.user + u.system });
  });
  process.send?.({ ready: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
