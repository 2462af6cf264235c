/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): where the busy time
 * went, by function (self time) and by package (self time, and time with the
 * package anywhere on the stack). Frames of an esbuild bundle (dist/apps/<app>/main.js)
 * are mapped back to their sources through main.js.map, so bundled code is
 * attributed to `fastify`, `@nestjs/core`, `@spear/runtime`, `apps/ticket`...
 *
 * Only samples inside the given time windows count, when windows are given:
 * V8 stamps samples with the monotonic clock (µs) that `process.hrtime` reads
 * in any process on the machine, so a bench can cut out the part it measured.
 *
 * Used by tickets.bench.ts (BENCH_CPU_PROF=dir), which also writes the
 * measured windows next to each profile (<file>.windows.json), and on its own:
 * `node --import tsx bench/ticket/cpu-profile.ts <file.cpuprofile> [top]` or
 * `... <file.cpuprofile> --callers <function name> [depth]` (the stacks that
 * lead to a function's self time, e.g. `writeUtf8String`). Both apply
 * <file>.windows.json when it exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** [from, to] in µs of the monotonic clock (`process.hrtime.bigint() / 1000n`). */
export type Window = [number, number];

/** Per node, the ms its samples stand for (each the gap to the next sample), keeping those inside `windows`; and how many samples were kept. */
function weightedSamples(profile: CpuProfile, windows?: Window[]): { ms: Map<number, number>; kept: number } {
  const ms = new Map<number, number>();
  let kept = 0;
  let t = profile.startTime;
  const n = profile.samples.length;
  for (let i = 0; i < n; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (windows && !windows.some(([from, to]) => t >= from && t < to)) continue;
    const next = i + 1 < n ? (profile.timeDeltas[i + 1] ?? 0) : 0;
    const id = profile.samples[i]!;
    kept++;
    ms.set(id, (ms.get(id) ?? 0) + Math.max(0, next) / 1000);
  }
  return { ms, kept };
}

export interface CostLine {
  name: string;
  ms: number;
  /** Share of the busy time (everything but `(idle)`). */
  share: number;
}

export interface ProfileSummary {
  file: string;
  wallMs: number;
  busyMs: number;
  samples: number;
  /** Self time per function, highest first. */
  functions: CostLine[];
  /** Self time per package (or node internals, GC...), highest first. */
  packagesSelf: CostLine[];
  /** Time with the package anywhere on the stack, highest first (sums to more than 100%). */
  packagesOnStack: CostLine[];
}

/** Where a frame's code comes from, for grouping: a package, a workspace lib or app, node, or a V8 pseudo-frame. */
export function packageOf(source: string, functionName: string): string {
  if (source === '') return functionName || '(anonymous native)';
  if (source.startsWith('node:')) return `node:${source.slice(5).replace(/^internal\//, '').split('/')[0]}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
  if (nm) return nm[1]!;
  const ws = /(?:^|\/)(libs|apps)\/([^/]+)\//.exec(source);
  if (ws) return ws[1] === 'libs' ? `@spear/${ws[2]}` : `apps/${ws[2]}`;
  if (/(?:^|\/)bench\//.test(source)) return 'bench';
  return source;
}

/** Maps bundle positions to original sources, one source map per bundle file. */
export class SourceResolver {
  private readonly maps = new Map<string, SourceMap | null>();

  resolve(frame: CallFrame): { source: string; line: number } {
    const { url, lineNumber, columnNumber } = frame;
    if (!url.startsWith('file://') || lineNumber < 0) return { source: url, line: lineNumber + 1 };
    const map = this.mapFor(url);
    const entry = map?.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (entry?.originalSource) return { source: entry.originalSource.replace(/^file:\/\//, ''), line: (entry.originalLine ?? 0) + 1 };
    return { source: fileURLToPath(url), line: lineNumber + 1 };
  }

  private mapFor(url: string): SourceMap | null {
    let map = this.maps.get(url);
    if (map === undefined) {
      map = null;
      const file = `${fileURLToPath(url)}.map`;
      // Only bundles (dist/...) have a .map next to them; node_modules files are their own sources.
      if (url.includes('/dist/') && existsSync(file)) map = new SourceMap(JSON.parse(readFileSync(file, 'utf8')));
      this.maps.set(url, map);
    }
    return map;
  }
}

export const shorten = (source: string) => source.replace(/^.*?node_modules\//, '').replace(/^(\.\.\/)+/, '');

export function summarizeCpuProfile(file: string, top = 15, windows?: Window[]): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const overlap = (from: number, to: number) => Math.max(0, Math.min(to, profile.endTime) - Math.max(from, profile.startTime));
  const wallMs = (windows ? windows.reduce((sum, [from, to]) => sum + overlap(from, to), 0) : profile.endTime - profile.startTime) / 1000;
  const resolver = new SourceResolver();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const { ms: hits, kept } = weightedSamples(profile, windows);

  const info = new Map<number, { fn: string; pkg: string }>();
  for (const n of profile.nodes) {
    const { source, line } = resolver.resolve(n.callFrame);
    const name = n.callFrame.functionName || '(anonymous)';
    info.set(n.id, { fn: source ? `${name} ${shorten(source)}:${line}` : name, pkg: packageOf(source, n.callFrame.functionName) });
  }
  // Packages on the path from the root to each node (cached per node).
  const onStack = new Map<number, Set<string>>();
  const stackOf = (id: number): Set<string> => {
    let set = onStack.get(id);
    if (!set) {
      const up = parent.get(id);
      set = new Set(up === undefined ? [] : stackOf(up));
      const { pkg } = info.get(id)!;
      if (!pkg.startsWith('(')) set.add(pkg);
      onStack.set(id, set);
    }
    return set;
  };

  const fnMs = new Map<string, number>();
  const pkgMs = new Map<string, number>();
  const stackMs = new Map<string, number>();
  let idleMs = 0;
  for (const [id, ms] of hits) {
    const { fn, pkg } = info.get(id)!;
    if (byId.get(id)?.callFrame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    fnMs.set(fn, (fnMs.get(fn) ?? 0) + ms);
    pkgMs.set(pkg, (pkgMs.get(pkg) ?? 0) + ms);
    for (const p of stackOf(id)) stackMs.set(p, (stackMs.get(p) ?? 0) + ms);
  }
  const busyMs = [...hits.values()].reduce((a, b) => a + b, 0) - idleMs;
  const lines = (m: Map<string, number>, n: number): CostLine[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: Math.round((ms / busyMs) * 1000) / 1000 }));
  return {
    file,
    wallMs: Math.round(wallMs),
    busyMs: Math.round(busyMs),
    samples: kept,
    functions: lines(fnMs, top),
    packagesSelf: lines(pkgMs, top),
    packagesOnStack: lines(stackMs, top),
  };
}

/** The call stacks (up to `depth` callers) under which `functionName` spent its self time, heaviest first. */
export function callersOf(file: string, functionName: string, depth = 8, windows?: Window[]): Array<{ ms: number; stack: string[] }> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const resolver = new SourceResolver();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<string, number>();
  for (const [id, ms] of weightedSamples(profile, windows).ms) {
    if (byId.get(id)?.callFrame.functionName !== functionName) continue;
    const chain: string[] = [];
    for (let up = parent.get(id); up !== undefined && chain.length < depth; up = parent.get(up)) {
      const frame = byId.get(up)!.callFrame;
      const { source, line } = resolver.resolve(frame);
      chain.push(`${frame.functionName || '(anonymous)'} ${shorten(source)}:${line}`);
    }
    const key = chain.join('\n');
    stacks.set(key, (stacks.get(key) ?? 0) + ms);
  }
  return [...stacks].sort((a, b) => b[1] - a[1]).map(([key, ms]) => ({ ms: Math.round(ms), stack: key.split('\n') }));
}

export function formatSummary(s: ProfileSummary): string {
  const pct = (l: CostLine) => `${(l.share * 100).toFixed(1).padStart(5)}%  ${String(l.ms).padStart(6)} ms  ${l.name}`;
  return [
    `${s.file}: ${s.busyMs} ms busy of ${s.wallMs} ms (${s.samples} samples)`,
    '  self time by function:',
    ...s.functions.map((l) => `    ${pct(l)}`),
    '  self time by package:',
    ...s.packagesSelf.map((l) => `    ${pct(l)}`),
    '  time with the package on the stack:',
    ...s.packagesOnStack.map((l) => `    ${pct(l)}`),
  ].join('\n');
}

if (require.main === module) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/ticket/cpu-profile.ts <file.cpuprofile> [top] | --callers <function name> [depth]\n');
    process.exit(2);
  }
  const windowsFile = `${file}.windows.json`;
  const windows = existsSync(windowsFile) ? (JSON.parse(readFileSync(windowsFile, 'utf8')) as Window[]) : undefined;
  if (windows) process.stdout.write(`(measured windows only, from ${windowsFile})\n`);
  if (rest[0] === '--callers') {
    for (const { ms, stack } of callersOf(file, rest[1] ?? '', Number(rest[2] ?? 8), windows).slice(0, 10)) process.stdout.write(`${ms} ms\n    ${stack.join('\n  < ')}\n`);
  } else {
    process.stdout.write(`${formatSummary(summarizeCpuProfile(file, Number(rest[0] ?? 25), windows))}\n`);
  }
}
