/**
 * Engines of a profile, run by the project itself:
 *   tsx tools/engines/main.ts start|stop|status [zookeeper|redis|kafka ...] [--profile local]
 * Data and logs live under .run/<profile>/<engine>/ (git-ignored). An engine the
 * profile names several servers of (a ZooKeeper ensemble, a Redis Cluster, a Kafka
 * cluster) is started, checked and stopped as one, each server in a folder inside.
 */
import { describePorts, ENGINES, engineDir, enginePorts, engineStatus, ensureEngine, stopEngine } from './profile-engines';
import { ConfigError } from '@spear/config';
import type { EngineName } from '@spear/testing';

async function main(argv: string[]): Promise<number> {
  const profileArg = argv.find((a) => a.startsWith('--profile='))?.split('=')[1] ?? (argv.includes('--profile') ? argv[argv.indexOf('--profile') + 1] : undefined);
  const words = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--profile');
  const [command, ...names] = words;
  const engines = (names.length ? names : ENGINES) as EngineName[];
  const unknown = engines.filter((e) => !ENGINES.includes(e));
  if (!command || !['start', 'stop', 'status'].includes(command) || unknown.length) {
    console.error(`usage: engines start|stop|status [${ENGINES.join('|')} ...] [--profile NAME]${unknown.length ? `\nunknown engine: ${unknown.join(', ')}` : ''}`);
    return 2;
  }
  const { name, ports } = enginePorts(profileArg ?? process.env.SPEAR_PROFILE ?? 'local');
  let failed = 0;
  for (const engine of engines) {
    try {
      if (command === 'start') {
        const started = await ensureEngine(engine, name, ports);
        console.log(`${engine}: ${started ? 'started' : 'already running'} on ${describePorts(engine, ports)} (${engineDir(name, engine)})`);
      } else if (command === 'stop') {
        console.log(`${engine}: ${(await stopEngine(engine, name)) ? 'stopped' : 'not running (no live pid file)'}`);
      } else {
        const status = await engineStatus(engine, ports);
        if (!status.up) failed++;
        console.log(`${engine}: ${status.up ? 'up' : 'down'} on ${describePorts(engine, ports)} - ${status.detail}`);
      }
    } catch (error) {
      failed++;
      console.error(`${engine}: ${(error as Error).message}`);
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  // A bad profile is one line naming the file and the field, not a stack trace.
  (error: unknown) => {
    console.error(`engines: ${error instanceof ConfigError ? error.message : String(error)}`);
    process.exit(2);
  },
);
