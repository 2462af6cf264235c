import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The loopback ports of one server of an ensemble. */
export interface ZooKeeperServerPorts {
  /** Its `myid`, 1-255. */
  id: number;
  clientPort: number;
  /** Followers connect to the leader here. */
  peerPort: number;
  /** Servers vote for a leader here. */
  electionPort: number;
}

/** One server of an ensemble: its own id and every server's ports (its own included). */
export interface ZooKeeperEnsembleMember {
  myid: number;
  servers: readonly ZooKeeperServerPorts[];
}

/**
 * Writes `<dir>/zoo.cfg` for a server on 127.0.0.1:port with data in
 * `<dir>/data`, and returns its path: standalone, or with `ensemble` one
 * member of it (a `server.N` line per server, and `data/myid`).
 */
export function writeZooCfg(dir: string, port: number, ensemble?: ZooKeeperEnsembleMember): string {
  const path = join(dir, 'zoo.cfg');
  const lines = [
    `dataDir=${join(dir, 'data')}`,
    `clientPort=${port}`,
    'clientPortAddress=127.0.0.1',
    // A short tick lets tests use ~1 s sessions (min = 2 ticks) so expiry is quick,
    // while the explicit max still allows the 60 s sessions production code asks for.
    'tickTime=500',
    'maxSessionTimeout=60000',
    'initLimit=10',
    'syncLimit=5',
    // The admin server would grab port 8080; the four-letter words are our probe.
    'admin.enableServer=false',
    '4lw.commands.whitelist=ruok,srvr,mntr',
    // Throwaway dev data: skip fsync and the 64 MB log preallocation to save time and disk.
    'forceSync=no',
    'preAllocSize=1024',
    ...(ensemble ? ensemble.servers.map((server) => `server.${server.id}=127.0.0.1:${server.peerPort}:${server.electionPort}`) : []),
    '',
  ];
  if (ensemble) writeFileSync(join(dir, 'data', 'myid'), `${ensemble.myid}\n`);
  writeFileSync(path, lines.join('\n'));
  return path;
}

/** Writes a log4j 1.2 config sending everything at INFO to `logFile`; returns its path. */
export function writeZooKeeperLog4j(dir: string, logFile: string): string {
  const path = join(dir, 'log4j.properties');
  const lines = [
    'log4j.rootLogger=INFO, FILE',
    'log4j.appender.FILE=org.apache.log4j.FileAppender',
    `log4j.appender.FILE.File=${logFile}`,
    'log4j.appender.FILE.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.FILE.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{1} - %m%n',
    '',
  ];
  writeFileSync(path, lines.join('\n'));
  return path;
}
