/**
 * One system at one size, the scale bench's unit of work: start it with `n`
 * nodes (spear nodes, or B0/B0s processes) on the shared engines, connect
 * every user with every 1:1 pair across nodes (bench/clients/pairing.ts),
 * warm up, then two workloads, each an open-loop ramp that stops after its
 * first saturated step (bench/compare/scenarios.ts):
 *   1:1    every message crosses nodes;
 *   fanout every user joins one group (so its members sit on every node),
 *          one publisher; delivered = deliveries to members per second.
 * Each step records server CPU per delivered message; the loss check ends
 * the turn (bench/compare/phase.ts).
 */
import { join } from 'node:path';
import type { ConnectResult } from '../clients/client-fleet';
import type { VerifyReport } from '../clients/protocol';
import { runPhase } from '../compare/phase';
import { fmtCpu, ramp, withCpu, type MeasuredStep, type RampResult } from '../compare/scenarios';
import { startB0, startSpearNodes, type SystemUnderTest } from '../compare/systems';
import { fmtInt, log } from '../rpc/measure';
import { cpuUsPerMessage, redisNames } from './cpu-per-message';
import type { ScaleEngines } from './engines';
import type { ScaleSettings, ScaleSystem } from './settings';
import type { Workload } from './workloads';

export interface StepCost {
  offered: number;
  delivered: number;
  saturated: boolean;
  /** CPU µs per delivered message: the system's own processes (spear nodes, ticket, idgen; or the B0 processes), and Redis. */
  serverUs?: number;
  redisUs?: number;
}

export interface WorkloadResult {
  ramp: RampResult;
  /** Per ramp step, in order. */
  costs: StepCost[];
  /** The step at the settings' reference rate, if the ramp got there. */
  atReference?: StepCost;
  /** Fan-out: members of the group. */
  members?: number;
}

export interface SizeResult {
  system: ScaleSystem;
  nodes: number;
  /** Which repetition of the whole run (1-based; settings.runs). */
  run: number;
  connect: ConnectResult;
  /** CPUs (1 = one core) the system's own processes used while every user was connected and idle, if measured. */
  idleServerCpu?: number;
  /** From the system's start to its stop, s. */
  seconds: number;
  workloads: Partial<Record<Workload, WorkloadResult>>;
  loss?: VerifyReport;
  /** What kept a workload from running (the run goes on with the next size). */
  errors: string[];
}

const GROUP = 'bench-scale';

function startSystem(system: ScaleSystem, nodes: number, e: ScaleEngines, dir: string, users: number): Promise<SystemUnderTest> {
  switch (system) {
    case 'spear':
      return startSpearNodes(e.engines, { bus: 'redis', dir: join(dir, `spear-${nodes}`), maxConnections: users + 1000, nodes });
    case 'b0':
      return startB0(e.engines, nodes);
    case 'b0s':
      return startB0(e.engines, nodes, undefined, 'sharded');
  }
}

function costOf(step: MeasuredStep, servers: string[]): StepCost {
  return { offered: step.offered, delivered: step.deliveredPerSecond, saturated: step.saturated, serverUs: cpuUsPerMessage(step, servers), redisUs: cpuUsPerMessage(step, redisNames(step.cpu)) };
}

function workloadResult(label: string, r: RampResult, servers: string[], referenceOffered: number, members?: number): WorkloadResult {
  const costs = r.steps.map((step) => costOf(step, servers));
  for (const c of costs) log(`  ${label} ${fmtInt(c.offered)}/s offered: server CPU ${c.serverUs ?? '–'} µs, Redis ${c.redisUs ?? '–'} µs per delivered message`);
  return { ramp: r, costs, atReference: costs.find((c) => c.offered === referenceOffered), ...(members === undefined ? {} : { members }) };
}

/** Runs `system` with `nodes` nodes through both workloads; the engines are reset first. */
export async function measureSize(system: ScaleSystem, nodes: number, run: number, s: ScaleSettings, e: ScaleEngines, dir: string): Promise<SizeResult> {
  await e.reset();
  const workloads: SizeResult['workloads'] = {};
  const errors: string[] = [];
  let idleServerCpu: number | undefined;
  const started = performance.now();
  const label = s.runs > 1 ? `[${system} × ${nodes}, run ${run}]` : `[${system} × ${nodes}]`;
  let k = 0;
  const phase = { users: s.users, workers: s.workers, concurrency: s.concurrency, warmupSeconds: s.warmupSeconds, busRate: s.warmupRate, drainMs: s.drainMs };
  const result = await runPhase(
    phase,
    () => startSystem(system, nodes, e, dir, s.users),
    e.pids,
    async (fleet, pids, _r, sut) => {
      const servers = Object.keys(sut.pids);
      if (s.idleSeconds > 0) {
        const { cpu } = await withCpu(pids, () => new Promise((done) => setTimeout(done, s.idleSeconds * 1000)));
        idleServerCpu = Math.round(servers.reduce((sum, name) => sum + (cpu[name] ?? 0), 0) * 100) / 100;
        log(`${label} idle ${s.idleSeconds} s, every user connected: servers ${idleServerCpu} CPUs; ${fmtCpu(cpu)}`);
      }
      if (s.workloads.includes('1:1')) {
        const direct = await ramp(`${label} 1:1 across nodes`, pids, s.rates, 1, (rate) => fleet.direct(++k, rate, s.stepSeconds, s.drainMs));
        workloads['1:1'] = workloadResult(`${label} 1:1`, direct, servers, s.referenceRate);
      }
      if (!s.workloads.includes('fanout')) return;
      const joined = await fleet.join(GROUP);
      log(`${label} ${fmtInt(joined.members)} members joined ${GROUP}, ${joined.failed} failed`);
      if (joined.failed > 0 || joined.members === 0) {
        errors.push(`${joined.failed} of ${joined.members + joined.failed} users could not join ${GROUP}: no fan-out`);
        return;
      }
      const fanout = await ramp(`${label} fan-out`, pids, s.fanoutRates, joined.members, (rate) => fleet.fanout(++k, GROUP, rate, s.stepSeconds, s.drainMs));
      workloads.fanout = workloadResult(`${label} fan-out`, fanout, servers, s.referenceFanoutRate * joined.members, joined.members);
    },
    { pairing: 'cross' },
  );
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  log(`${label} done in ${seconds} s`);
  return { system, nodes, run, connect: result.connect, idleServerCpu, seconds, workloads, loss: result.loss, errors };
}
