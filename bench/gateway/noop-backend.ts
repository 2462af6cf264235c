/**
 * The bench's backend, in its own process: libs/backend serving `benchsvc`
 * with a no-op method. argv: the cluster's profile folder. Answers `cpu`
 * requests over IPC with its CPU time (µs) so the bench can charge it.
 */
import { serveBackend } from '@spear/backend';
import { loadConfig } from '@spear/config';

const [profileDir] = process.argv.slice(2) as [string];

async function main(): Promise<void> {
  const { zookeeper, secrets } = loadConfig('idgen', { profile: profileDir });
  await serveBackend({ name: 'benchsvc', zookeeper: { ...zookeeper, password: secrets.zookeeperPassword }, clusterSecret: secrets.clusterSecret, methods: { 'bench.noop': () => null } });
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
