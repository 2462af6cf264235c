/**
 * One system's turn in a bench that loads it with the shared clients
 * (bench/compare/run.ts, bench/compare/steady.bench.ts,
 * bench/spear/cross-node.bench.ts): start it and the load generators, connect
 * every user at once (scenario 5, the connect storm), warm up, run the
 * caller's measured steps, check that every acked 1:1 send arrived, stop both.
 */
import { fmtInt, log } from '../rpc/measure';
import { ClientFleet, type ConnectResult } from '../clients/client-fleet';
import { fmtLatencyMs } from '../clients/histogram';
import type { Pairing } from '../clients/protocol';
import type { SystemResult } from './report';
import { fmtCpu, withCpu } from './scenarios';
import type { CompareSettings } from './settings';
import type { SystemUnderTest } from './systems';

export type PhaseSettings = Pick<CompareSettings, 'users' | 'workers' | 'concurrency' | 'warmupSeconds' | 'busRate' | 'drainMs'>;

export type PhaseBody = (fleet: ClientFleet, pids: Record<string, number>, result: SystemResult, system: SystemUnderTest) => Promise<void>;

export interface PhaseOptions {
  /** Called with every process's pid right before and right after the connect storm (e.g. to toggle profilers). */
  aroundConnect?: (pids: Record<string, number>) => void;
  /** How the users are paired for 1:1 traffic (default `mixed`: half of the pairs across nodes). */
  pairing?: Pairing;
}

/**
 * Runs `body` only when every user connected; the warm-up (settings.warmupSeconds
 * of 1:1 traffic at busRate, step 0, not measured) precedes it, and its sends
 * count in the loss check. Measured steps should use step numbers from 1 on.
 */
export async function runPhase(s: PhaseSettings, start: () => Promise<SystemUnderTest>, enginePids: Record<string, number>, body: PhaseBody, options: PhaseOptions = {}): Promise<SystemResult> {
  const system = await start();
  let fleet: ClientFleet | undefined;
  try {
    const clients = (fleet = await ClientFleet.start(s.workers));
    const pids = { ...system.pids, ...Object.fromEntries(fleet.pids.map((p, i) => [`gen-${i + 1}`, p])), ...enginePids };
    log(`[${system.name}] up (${Object.entries(system.pids).map(([n, p]) => `${n} ${p}`).join(', ')}); connecting ${fmtInt(s.users)} users at once`);
    const uids = Array.from({ length: s.users }, (_, i) => `${system.name}-u${i}`);
    options.aroundConnect?.(pids);
    const { result: connect, cpu } = await withCpu<ConnectResult>(pids, () => clients.connect(system, uids, s.concurrency, options.pairing));
    options.aroundConnect?.(pids);
    connect.cpu = cpu;
    log(
      `[${system.name}] connect storm: ${fmtInt(connect.connected)} ready in ${(connect.allReadyMs / 1000).toFixed(2)} s (${fmtLatencyMs(connect.readyMs)} to ready), ` +
        `failed ${connect.failed}${connect.firstError ? ` (first: ${connect.firstError})` : ''}; CPUs ${fmtCpu(cpu)}; nodes ${JSON.stringify(connect.nodes)}; pairs ${connect.crossPairs} across nodes, ${connect.samePairs} within`,
    );
    const result: SystemResult = { name: system.name, connect };
    if (connect.failed === 0) {
      await warmUp(clients, pids, system.name, s, s.warmupSeconds);
      await body(clients, pids, result, system);
    }
    result.loss = await fleet.verify(10_000);
    log(`[${system.name}] loss check: ${fmtInt(result.loss.acked)} acked 1:1 sends, lost ${result.loss.lost}, duplicates ${result.loss.duplicates}, misrouted ${result.loss.misrouted}, order violations ${result.loss.orderViolations}, disconnects ${result.loss.disconnects}`);
    return result;
  } finally {
    await fleet?.stop();
    await system.stop();
  }
}

/**
 * `seconds` of unmeasured 1:1 traffic at busRate (step 0; its sends count in
 * the loss check). Every process starts cold (V8's and the Kafka broker's JIT,
 * pools, a consumer's first fetches): systems are compared warm, warmed alike.
 */
export async function warmUp(fleet: ClientFleet, pids: Record<string, number>, name: string, s: Pick<PhaseSettings, 'busRate' | 'drainMs'>, seconds: number, what = 'warm-up'): Promise<void> {
  if (seconds === 0) return;
  const { result: w, cpu } = await withCpu(pids, () => fleet.direct(0, s.busRate, seconds, s.drainMs));
  log(`[${name}] ${what}, not measured: ${s.busRate}/s for ${seconds} s, delivered ${w.deliveredPerSecond}/s, ${fmtLatencyMs(w.latency)}; CPUs ${fmtCpu(cpu)}`);
}
