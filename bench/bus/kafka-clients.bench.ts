/**
 * kafkajs against @platformatic/kafka under the Kafka bus (issue #21), in
 * one run on one broker: for each client, KafkaBus or PlatformaticKafkaBus
 * (same topics, wire format and guarantees), publish→receive latency
 * p50/p99 between two bus instances at fixed rates, and the process CPU per
 * envelope. Each client runs in a process of its own (kafka-client-steps.ts);
 * the order alternates from run to run, so neither always goes first.
 *
 *   flock /tmp/bench.lock node --import tsx bench/bus/kafka-clients.bench.ts
 *
 * Settings (environment): BENCH_KAFKA_RATES (default "1000,3000" envelopes/s),
 * BENCH_KAFKA_SECONDS (10 per step), BENCH_KAFKA_RUNS (3). Prints a line per
 * client and step, a table of the medians over the runs with the ratio
 * platformatic/kafkajs, and a final JSON line with every figure.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, startKafka, type KafkaHandle } from '@spear/testing';
import { cleanupOnce, fmtMachine, log, machineFacts } from '../rpc/measure';
import type { ClientName, StepResult, StepsResult } from './kafka-client-steps';

const RATES = (process.env['BENCH_KAFKA_RATES'] ?? '1000,3000').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_KAFKA_SECONDS'] ?? 10);
const RUNS = Number(process.env['BENCH_KAFKA_RUNS'] ?? 3);
const CLIENTS: readonly ClientName[] = ['kafkajs', 'platformatic'];
/** A client's turn: warm-up, steps, drains, start and close, with room to spare. */
const TURN_TIMEOUT_MS = (RATES.length * (SECONDS + 5) + 60) * 1000;

/** Runs one client's turn in a child process and returns its JSON line. */
function runTurn(client: ClientName, brokers: string[], prefix: string): Promise<StepsResult> {
  const script = join(import.meta.dirname, 'kafka-client-steps.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, client, brokers.join(','), RATES.join(','), String(SECONDS), prefix], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), TURN_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`${client}: exited ${code ?? signal}; output: ${out.slice(-500)}`));
      else resolve(JSON.parse(last) as StepsResult);
    });
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const fmtStep = (s: StepResult) =>
  `${s.rate}/s: p50 ${s.latency.p50} ms, p99 ${s.latency.p99} ms, p99.9 ${s.latency.p999} ms, max ${s.latency.max} ms; ` +
  `CPU ${s.cpuUsPerEnvelope} µs/envelope (${s.cpuPercent}% of a core); delivered ${s.delivered}/${s.sent}, failed publishes ${s.failedPublishes}`;

async function main(): Promise<void> {
  const facts = machineFacts();
  log(`kafka clients bench: ${fmtMachine(facts)}`);
  log(`rates ${RATES.join(', ')} envelopes/s, ${SECONDS} s each, ${RUNS} runs, order alternating`);
  const dir = makeTempDir('spear-bench-kafka-clients-');
  let kafka: KafkaHandle | undefined;
  const cleanup = cleanupOnce(async () => {
    await kafka?.stop();
    removeTempDir(dir);
  });
  const results: Array<{ run: number; order: ClientName[]; turns: StepsResult[] }> = [];
  try {
    kafka = await startKafka({ dir: join(dir, 'kafka') });
    for (let run = 1; run <= RUNS; run++) {
      const order = run % 2 === 1 ? [...CLIENTS] : [...CLIENTS].reverse();
      const turns: StepsResult[] = [];
      for (const client of order) {
        const turn = await runTurn(client, kafka.brokers, `bench${run}${client}`);
        for (const s of turn.steps) log(`run ${run} ${client.padEnd(12)} ${fmtStep(s)}`);
        turns.push(turn);
      }
      results.push({ run, order, turns });
    }
  } finally {
    await cleanup();
  }
  log('');
  log(`medians over ${RUNS} runs (every run's value in brackets)`);
  log('| rate/s | client | p50 ms | p99 ms | CPU µs/envelope | delivered |');
  log('| --- | --- | --- | --- | --- | --- |');
  const summary: Record<string, unknown>[] = [];
  for (const rate of RATES) {
    const per = (client: ClientName) => results.map(({ turns }) => turns.find((t) => t.client === client)!.steps.find((s) => s.rate === rate)!);
    const figures = Object.fromEntries(
      CLIENTS.map((client) => {
        const steps = per(client);
        return [client, { p50: median(steps.map((s) => s.latency.p50)), p99: median(steps.map((s) => s.latency.p99)), cpu: median(steps.map((s) => s.cpuUsPerEnvelope)), steps }];
      }),
    );
    for (const client of CLIENTS) {
      const f = figures[client]!;
      const all = (pick: (s: StepResult) => number) => `[${f.steps.map(pick).join(', ')}]`;
      const delivered = f.steps.map((s) => `${s.delivered}/${s.sent}`).join(', ');
      log(`| ${rate} | ${client} | ${f.p50} ${all((s) => s.latency.p50)} | ${f.p99} ${all((s) => s.latency.p99)} | ${f.cpu} ${all((s) => s.cpuUsPerEnvelope)} | ${delivered} |`);
    }
    const [k, p] = [figures['kafkajs']!, figures['platformatic']!];
    const ratios = { p50: round(p.p50 / k.p50), p99: round(p.p99 / k.p99), cpu: round(p.cpu / k.cpu) };
    log(`| ${rate} | platformatic / kafkajs | ${ratios.p50}x | ${ratios.p99}x | ${ratios.cpu}x | |`);
    summary.push({ rate, kafkajs: { p50: k.p50, p99: k.p99, cpu: k.cpu }, platformatic: { p50: p.p50, p99: p.p99, cpu: p.cpu }, ratios });
  }
  log(`RESULT ${JSON.stringify(summary)}`);
  log(JSON.stringify({ machine: facts, settings: { rates: RATES, seconds: SECONDS, runs: RUNS }, results }));
}

const round = (n: number) => Math.round(n * 100) / 100;

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
