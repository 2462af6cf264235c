/**
 * One Kafka client's turn in the kafka-clients bench, in a process of its
 * own so its CPU is that client's alone: two bus instances (sender "A",
 * receiver "B") on one broker, a warm-up, then one open-loop step per rate.
 * Prints one JSON line (StepsResult) as its last line.
 *
 *   node --import tsx bench/bus/kafka-client-steps.ts <kafkajs|platformatic> <brokers> <rates,...> <seconds> <prefix>
 *
 * Latency is from the envelope's scheduled send time (not the moment the
 * loop got round to it, so a stalled sender shows in the figures) to its
 * arrival at B. CPU is this process's user+system time over the step,
 * sender and receiver together, divided by the envelopes delivered.
 */
import { KafkaBus, type Bus, type Envelope } from '@spear/bus';
import { PlatformaticKafkaBus } from '@spear/bus/src/platformatic-kafka-bus';
import { latencyMs, newHistogram, recordMs, type LatencyMs } from '../clients/histogram';

export type ClientName = 'kafkajs' | 'platformatic';

export interface StepResult {
  rate: number;
  sent: number;
  delivered: number;
  failedPublishes: number;
  latency: LatencyMs;
  cpuUsPerEnvelope: number;
  /** This process's CPU over the step, in % of one core. */
  cpuPercent: number;
}

export interface StepsResult {
  client: ClientName;
  steps: StepResult[];
}

const WARM_UP = { rate: 500, seconds: 3 };
/** After a step's last send: how long late envelopes are waited for before counting them lost. */
const DRAIN_MS = 2_000;
/** The sender's tick: each tick sends every envelope whose scheduled time has come. */
const TICK_MS = 1;

function makeBus(client: ClientName, brokers: string[], topicPrefix: string): Bus {
  const options = { brokers, topicPrefix, clientId: `bench-${client}` };
  return client === 'kafkajs' ? new KafkaBus(options) : new PlatformaticKafkaBus(options);
}

/** A 1:1 envelope like spear's, about 200 bytes on the wire; `id` is the sequence number. */
function envelope(id: number): Envelope {
  return { t: 'msg', p: { id: String(id), from: 'user-a', to: 'user-b', body: { text: 'x'.repeat(64) }, ts: Date.now(), cid: `c${id}` } };
}

/** Sends at `rate` for `seconds` from A to B and measures what B receives. */
async function step(a: Bus, pending: Map<number, number>, received: { count: number; histogram: ReturnType<typeof newHistogram> }, rate: number, seconds: number): Promise<StepResult> {
  received.count = 0;
  received.histogram = newHistogram();
  pending.clear();
  const total = rate * seconds;
  let sent = 0;
  let failedPublishes = 0;
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - began) / 1000) * rate));
      for (; sent < due; sent++) {
        const id = sent;
        // The scheduled time, so a late tick counts against the client, not for it.
        pending.set(id, began + (id * 1000) / rate);
        a.publishToNodes(['B'], envelope(id)).catch(() => failedPublishes++);
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const until = performance.now() + DRAIN_MS;
  while (received.count < total && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  const cpu = process.cpuUsage(cpuBefore);
  const cpuUs = cpu.user + cpu.system;
  const elapsedUs = (performance.now() - began) * 1000;
  return {
    rate,
    sent,
    delivered: received.count,
    failedPublishes,
    latency: latencyMs(received.histogram),
    cpuUsPerEnvelope: Math.round((cpuUs / Math.max(1, received.count)) * 10) / 10,
    cpuPercent: Math.round((cpuUs / elapsedUs) * 1000) / 10,
  };
}

async function main(): Promise<void> {
  const [client, brokerList, rateList, secondsArg, prefix] = process.argv.slice(2);
  if ((client !== 'kafkajs' && client !== 'platformatic') || !brokerList || !rateList || !secondsArg || !prefix) {
    throw new Error('usage: kafka-client-steps.ts <kafkajs|platformatic> <brokers> <rates,...> <seconds> <prefix>');
  }
  const brokers = brokerList.split(',');
  const rates = rateList.split(',').map(Number);
  const seconds = Number(secondsArg);
  const pending = new Map<number, number>();
  const received = { count: 0, histogram: newHistogram() };
  const a = makeBus(client, brokers, prefix);
  const b = makeBus(client, brokers, prefix);
  try {
    await a.start('A', () => undefined);
    await b.start('B', (env) => {
      if (env.t !== 'msg') return;
      const id = Number(env.p.id);
      const sentAt = pending.get(id);
      if (sentAt === undefined) return;
      pending.delete(id);
      received.count++;
      recordMs(received.histogram, performance.now() - sentAt);
    });
    await step(a, pending, received, WARM_UP.rate, WARM_UP.seconds);
    const steps: StepResult[] = [];
    for (const rate of rates) steps.push(await step(a, pending, received, rate, seconds));
    const result: StepsResult = { client, steps };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
