/**
 * The scale bench (issue #20): Spear against B0 (socket.io + the classic
 * redis adapter) and B0s (socket.io + the sharded redis adapter) at 2, 4 and
 * 8 nodes on this one machine, the same engines and the same load clients
 * for all, one system and size at a time:
 *   1:1 across nodes   every pair's sender and receiver on different nodes
 *   group fan-out      every user in one group, so its members sit on every node
 * For each: the highest delivered msgs/s with p99 < 100 ms (an open-loop
 * ramp, bench/compare/scenarios.ts) and the server CPU per delivered message
 * (/proc), then the ratios the issue sets goals for (report.ts). What one
 * system at one size runs: one-size.ts; the settings: settings.ts.
 *
 *   npm run bench:scale                     full run (~25 min; the machine should be otherwise idle)
 *   npm run bench:scale -- --update-docs    the same, and rewrites the scale block of docs/BENCHMARKS.md
 *   npm run bench:scale -- --quick          every system × size × workload, small (< 60 s): messages arrive
 *   node --import tsx bench/scale/scale.bench.ts [--quick] [--update-docs] [--engines single-redis|cluster]
 * (the npm script builds the app bundles first; run directly, it uses dist/apps as it is).
 * BENCH_SCALE_SYSTEMS (spear,b0,b0s), BENCH_SCALE_SIZES (2,4,8) and
 * BENCH_SCALE_WORKLOADS (1:1,fanout) choose what runs, BENCH_SCALE_RUNS (1)
 * how many times; every other setting and its variable is in settings.ts.
 * Figures go to .run/bench/scale-<start time>.{json,md}. Exits non-zero when a
 * system fails to start, a client fails to connect, a message is lost (and
 * in quick mode when anything is left undelivered or refused).
 */
import { makeTempDir, removeTempDir } from '@spear/testing';
import { cleanupOnce, fmtInt, fmtMachine, log, machineFacts } from '../rpc/measure';
import { commandOf, parseScaleArgs } from './args';
import { parseEngineKind, startScaleEngines, type ScaleEngines } from './engines';
import { measureSize } from './one-size';
import { problemsOf, summarize, writeDocsReport, writeRunReport, type ScaleResults } from './report';
import { scaleSettings } from './settings';

async function main(): Promise<void> {
  const args = parseScaleArgs(process.argv.slice(2));
  const engineKind = parseEngineKind(args.engines);
  const s = scaleSettings(args.quick, process.env);
  if (args.updateDocs && s.quick) throw new Error('--update-docs takes a full run: quick figures check delivery, not speed');
  const command = commandOf(args);
  const machine = machineFacts();
  log(`scale bench (${s.quick ? 'quick' : 'full'}): ${fmtMachine(machine)}`);
  log(`  ${s.runs} run(s) of systems ${s.systems.join(', ')} at ${s.sizes.join(', ')} nodes on ${engineKind}, workloads ${s.workloads.join(', ')}; ${fmtInt(s.users)} users over ${s.workers} load generators; 1:1 ramp ${s.rates.map(fmtInt).join(', ')} msgs/s; fan-out ramp ${s.fanoutRates.join(', ')} publishes/s; ${s.stepSeconds} s steps`);
  const started = performance.now();
  const dir = makeTempDir('spear-scale-');
  let engines: ScaleEngines | undefined;
  const cleanup = cleanupOnce(async () => {
    await engines?.stop();
    removeTempDir(dir);
  });
  try {
    engines = await startScaleEngines(engineKind, dir);
    const results: ScaleResults = { machine, settings: s, engines: engineKind, results: [], failed: [] };
    // Size by size, every system at that size in turn: the systems compared at one size run minutes apart, not a
    // third of the run; the whole round again per run, so a drift of the machine hits every system alike.
    for (let run = 1; run <= s.runs; run++) {
      for (const nodes of s.sizes) {
        for (const system of s.systems) {
          try {
            results.results.push(await measureSize(system, nodes, run, s, engines, dir));
          } catch (error) {
            // One size that cannot run (a node that does not start) should not cost the other sizes' figures.
            const message = error instanceof Error ? error.message : String(error);
            log(`[${system} × ${nodes}, run ${run}] failed: ${message}`);
            results.failed.push({ system, nodes, run, error: message.split('\n')[0]! });
          }
        }
      }
    }
    await cleanup();
    log(`all sizes in ${Math.round((performance.now() - started) / 1000)} s`);
    for (const line of summarize(results)) log(line);
    log(`figures in ${writeRunReport(results, command).join(' and ')}`);
    if (args.updateDocs) {
      writeDocsReport(results, command);
      log('docs/BENCHMARKS.md (the scale block) and docs/bench-results/scale.json rewritten');
    }
    const problems = problemsOf(results);
    for (const p of problems) log(`PROBLEM: ${p}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  log(`scale bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
