import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaDataDir } from './kafka-config';
import { addScramArgument, type KafkaScramUser } from './kafka-sasl';
import { javaBin } from './paths';

/**
 * A random Kafka cluster id: 16 random bytes in URL-safe base64 without padding, the
 * same form `StorageTool random-uuid` prints, without paying for a JVM start.
 */
export function randomKafkaClusterId(): string {
  // Kafka's own Uuid.randomUuid() never starts with '-' either: the CLI would read it as an option.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** True once `StorageTool format` has written the KRaft metadata into the data folder. */
export function isKafkaStorageFormatted(dir: string): boolean {
  return existsSync(join(kafkaDataDir(dir), 'meta.properties'));
}

/**
 * Formats the KRaft storage of a new node (`kafka.tools.StorageTool format`), which
 * Kafka requires before the first start. Output goes to `<dir>/kafka-format.out`.
 * With `sasl`, the user's SCRAM credential is written into the metadata log
 * (`--add-scram`): a KRaft broker has no other way to authenticate its first client.
 * The nodes of one cluster are formatted with the same `clusterId` (a random one by default).
 */
export function formatKafkaStorage(
  dir: string,
  classpath: string,
  serverProperties: string,
  log4j: string,
  sasl?: KafkaScramUser,
  clusterId: string = randomKafkaClusterId(),
): Promise<void> {
  const args = [
    '-Xmx256m',
    // A tool that runs for a second: the quick compiler and the simplest collector start it
    // several times faster on a busy two-CPU machine (three nodes of a cluster format at once).
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    // The broker's log4j config, so the tool's logging goes to kafka.log, not our console.
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    serverProperties,
    ...(sasl ? ['--add-scram', addScramArgument(sasl)] : []),
  ];
  const outFile = join(dir, 'kafka-format.out');
  return new Promise((resolve, reject) => {
    execFile(javaBin(), args, { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      writeFileSync(outFile, `${stdout}${stderr}`);
      if (!err) return resolve();
      // err.message repeats the command line, the SCRAM password included.
      const text = `${err.message}\n${stdout}${stderr}`;
      reject(new Error(`Kafka storage format failed: ${sasl ? text.split(sasl.password).join('***') : text}`));
    });
  });
}
