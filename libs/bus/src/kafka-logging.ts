import { logLevel, type logCreator } from 'kafkajs';
import type { BusLogger } from './logger';

/**
 * Our deliberate choice of a bounded retry budget for the idempotent
 * producer (see kafka-bus.ts) makes kafkajs warn on every producer creation;
 * that warning is about transactions (EoS), which the bus does not use.
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

/**
 * Routes kafkajs's WARN and ERROR lines to the bus logger (kafkajs INFO is
 * per-connection chatter). Pass with `logLevel: logLevel.WARN`.
 *
 * kafkajs logs every error response at ERROR ("Response CreateTopics ...")
 * before its caller retries or handles it, e.g. "topic already exists" on
 * each node restart or "coordinator loading" on a fresh broker. Those go to
 * debug: an error that matters rejects a bus call and is reported there.
 * So does everything once `closed()`: the bus closing connections under
 * kafkajs makes it complain.
 */
export function kafkaLogCreator(logger: BusLogger, closed: () => boolean): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...fields } = log;
      if (EXPECTED_WARNINGS.some((expected) => message.startsWith(expected))) return;
      const entry = { kafkajs: namespace, ...fields };
      const text = `kafkajs: ${message}`;
      if (closed() || (namespace === 'Connection' && message.startsWith('Response '))) logger.debug(entry, text);
      else if (level === logLevel.ERROR) logger.error(entry, text);
      else logger.warn(entry, text);
    };
}
