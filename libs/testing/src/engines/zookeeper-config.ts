import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `<dir>/zoo.cfg` for a standalone server on 127.0.0.1:port with data in
 * `<dir>/data`, and returns its path.
 */
export function writeZooCfg(dir: string, port: number): string {
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
    '',
  ];
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
