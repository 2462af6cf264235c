import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { engineHandle } from './engine-handle';
import { assertPortFree, freePort } from './free-port';
import { javaBin, zooKeeperClasspath } from './paths';
import { consoleFile, spawnEngine } from './spawn-engine';
import { waitReady } from './wait-ready';
import { writeZooCfg, writeZooKeeperLog4j, type ZooKeeperEnsembleMember } from './zookeeper-config';
import { zkStatus } from './zookeeper-status';
import type { EngineHandle, StartEngineOptions } from './types';

/** Options for {@link startZooKeeper}. */
export interface ZooKeeperOptions extends StartEngineOptions {
  /**
   * Start as this member of an ensemble (its client port is its entry's in
   * `servers`); ready once it serves as leader or follower, which needs a
   * majority of the ensemble running: start the members together.
   */
  ensemble?: ZooKeeperEnsembleMember;
}

/** A running ZooKeeper server. */
export interface ZooKeeperHandle extends EngineHandle {
  /** "127.0.0.1:port", for ZooKeeper clients. */
  readonly connectString: string;
  /** SIGKILL, as a crash: no clean shutdown; resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts a standalone ZooKeeper (Debian's package), or a member of an ensemble, on 127.0.0.1
 * with data, config and `zookeeper.log` in `dir`. Resolves once `srvr` reports a mode; default
 * timeout 20 s.
 */
export async function startZooKeeper(options: ZooKeeperOptions): Promise<ZooKeeperHandle> {
  const { dir, detached = false, startTimeoutMs = 20_000, ensemble } = options;
  const classpath = zooKeeperClasspath();
  const member = ensemble?.servers.find((server) => server.id === ensemble.myid);
  if (ensemble && !member) throw new Error(`startZooKeeper: myid ${ensemble.myid} is not among the ensemble's servers`);
  const port = member?.clientPort ?? options.port ?? (await freePort());
  await assertPortFree(port, 'ZooKeeper');
  if (member) {
    await assertPortFree(member.peerPort, 'ZooKeeper peer');
    await assertPortFree(member.electionPort, 'ZooKeeper election');
  }
  mkdirSync(join(dir, 'data'), { recursive: true });

  const logFile = join(dir, 'zookeeper.log');
  const zooCfg = writeZooCfg(dir, port, ensemble);
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
    kill: () => {
      child.kill('SIGKILL');
      return handle.stop();
    },
  };
}
