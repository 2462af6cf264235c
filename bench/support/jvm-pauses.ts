/**
 * The Kafka broker's stop-the-world pauses as lines of a stall log
 * (bench/support/trace-stalls.cjs's format), so bench/compare/stall-report.ts
 * lines them up with slow messages like any Node process's stalls. The broker
 * writes them itself: startKafka runs the JVM with `-Xlog:gc,safepoint`
 * stamped in epoch milliseconds (KafkaHandle.pauseLogFile).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** As trace-stalls.cjs: a pause is a stall past BENCH_STALL_MS (12), and a GC pause is logged from 4 ms. */
const STALL_MS = Number(process.env.BENCH_STALL_MS || 12);
const GC_MS = 4;

/** `[1796460360310ms] Safepoint "G1CollectForAllocation", Time since last: 83405998 ns, ..., Total: 2983357 ns` */
const SAFEPOINT = /^\[(\d+)ms\] Safepoint "([^"]+)".*Total: (\d+) ns/;

/** Stall-log lines (`<epoch ms at the end> <role>:<pid> <stall|gc-jvm> <ms>`) for the safepoints in a JVM's log. */
export function jvmPauseLines(log: string, role: string, pid: number): string[] {
  const lines: string[] = [];
  for (const line of log.split('\n')) {
    const match = SAFEPOINT.exec(line);
    if (!match) continue;
    const [, end, operation, totalNs] = match;
    const ms = Number(totalNs) / 1e6;
    // The log line is written as the safepoint ends; G1's operations are its collections and their remark and cleanup pauses.
    if (ms > STALL_MS) lines.push(`${end} ${role}:${pid} stall ${ms.toFixed(1)}`);
    if (ms > GC_MS && /G1|GC|Collect/.test(operation!)) lines.push(`${end} ${role}:${pid} gc-jvm ${ms.toFixed(1)}`);
  }
  return lines;
}

/**
 * Appends the broker's pauses to BENCH_STALL_LOG, when set; call before the
 * broker's folder is removed. Never throws: it runs in a bench's cleanup,
 * which must go on to stop the other engines.
 */
export function appendBrokerPauses(broker: { pauseLogFile: string; pid: number } | undefined): void {
  const stallLog = process.env.BENCH_STALL_LOG;
  if (!stallLog || !broker || !existsSync(broker.pauseLogFile)) return;
  try {
    const lines = jvmPauseLines(readFileSync(broker.pauseLogFile, 'utf8'), 'kafka', broker.pid);
    if (lines.length > 0) appendFileSync(stallLog, lines.join('\n') + '\n');
  } catch (error) {
    console.error(`the broker's pauses were not added to ${stallLog}: ${(error as Error).message}`);
  }
}
