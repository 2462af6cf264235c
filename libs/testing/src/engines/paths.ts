import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Kafka release resolved by scripts/install-engines.sh (kafkajs 2.2 cannot talk to 4.x). */
export const KAFKA_VERSION = '3.9.1';

const INSTALL_HINT = 'run `bash scripts/install-engines.sh` from the repository root';

/**
 * Debian's ZooKeeper server classpath. zookeeper.jar's manifest Class-Path already lists
 * its dependencies in /usr/share/java (netty, jackson, jetty, slf4j-api, ...); only an
 * slf4j binding and log4j 1.2 are added so the server writes its log file.
 */
export const ZOOKEEPER_JARS = [
  '/usr/share/java/zookeeper.jar',
  '/usr/share/java/slf4j-log4j12.jar',
  '/usr/share/java/log4j-1.2.jar',
];

/** Where downloaded engines live: `$SPEAR_CACHE`, else `~/.cache/spear`. */
export function spearCacheDir(): string {
  return process.env.SPEAR_CACHE || join(homedir(), '.cache', 'spear');
}

/** Folder holding the Kafka broker jars and all their dependencies. */
export function kafkaLibsDir(): string {
  return join(spearCacheDir(), `kafka-${KAFKA_VERSION}`, 'libs');
}

/** Java launcher: `$JAVA_HOME/bin/java` when set, else `java` from PATH. */
export function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** ZooKeeper's `-cp` value; throws with an install hint when the Debian package is missing. */
export function zooKeeperClasspath(): string {
  const missing = ZOOKEEPER_JARS.filter((jar) => !existsSync(jar));
  if (missing.length > 0) {
    throw new Error(`ZooKeeper jars missing (${missing.join(', ')}); ${INSTALL_HINT}`);
  }
  return ZOOKEEPER_JARS.join(':');
}

/** Kafka's `-cp` value; throws with an install hint unless the install script finished. */
export function kafkaClasspath(): string {
  const libs = kafkaLibsDir();
  // The marker is written only after Maven copied every jar, so a partial cache is caught.
  if (!existsSync(join(libs, '..', '.complete'))) {
    throw new Error(`Kafka ${KAFKA_VERSION} jars not found in ${libs}; ${INSTALL_HINT}`);
  }
  return join(libs, '*');
}

/** Appended to "binary not found" errors. */
export function installHint(): string {
  return INSTALL_HINT;
}
