import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { engineHandle } from './engine-handle';
import { assertPortFree, freePort } from './free-port';
import { javaBin, zooKeeperClasspath } from './paths';
import { consoleFile, spawnEngine } from './spawn-engine';
import { waitReady } from './wait-ready';
import { writeZooCfg, writeZooKeeperLog4j } from './zookeeper-config';
import { zkStatus } from './zookeeper-status';
import type { EngineHandle, StartEngineOptions } from './types';

/** A running ZooKeeper server. */
export interface ZooKeeperHandle extends EngineHandle {
  /** "127.0.0.1:port", for ZooKeeper clients. */
  readonly connectString: string;
}

/**
 * Starts a standalone ZooKeeper (Debian's package) on 127.0.0.1 with data, config and
 * `zookeeper.log` in `dir`. Resolves once `srvr` reports a mode; default timeout 20 s.
 */
export async function startZooKeeper(options: StartEngineOptions): Promise<ZooKeeperHandle> {
  const { dir, detached = false, startTimeoutMs = 20_000 } = options;
  const classpath = zooKeeperClasspath();
  const port = options.port ?? (await freePort());
  await assertPortFree(port, 'ZooKeeper');
  mkdirSync(join(dir, 'data'), { recursive: true });

  const logFile = join(dir, 'zookeeper.log');
  const zooCfg = writeZooCfg(dir, port);
  const log4j = writeZooKeeperLog4j(dir, logFile);
  const child = await spawnEngine({
    engine: 'zookeeper',
    command: javaBin(),
    args: [
      // A test server holds a handful of znodes; SerialGC starts fastest and uses least memory.
      '-Xms32m',
      '-Xmx128m',
      '-XX:+UseSerialGC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4j}`,
      `-Dzookeeper.log.dir=${dir}`,
      '-Dzookeeper.jmx.log4j.disable=true',
      '-cp',
      classpath,
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      zooCfg,
    ],
    dir,
    detached,
  });
  const handle = engineHandle(child, { engine: 'zookeeper', port, dir, logFile, stopTimeoutMs: 10_000 });
  await waitReady({
    what: `ZooKeeper on 127.0.0.1:${port}`,
    child,
    probe: async () => (await zkStatus(port, 500)) !== null,
    timeoutMs: startTimeoutMs,
    logFiles: [logFile, consoleFile(dir, 'zookeeper')],
    cleanup: handle.stop,
  });
  return {
    ...handle,
    connectString: `127.0.0.1:${port}`,
  };
}
