/**
 * Summarizes a V8 sampling heap profile (`.heapprofile`, from
 * bench/support/profile-on-signal.cjs): which functions allocated the most
 * bytes while it ran. With BENCH_HEAP_PROF=1 objects collected since are
 * included (what the young generation churns through); with `survivors` only
 * what outlived a young GC; with `live` only what was still alive at the
 * end. By function and by
 * package, with bundle frames mapped to their sources as cpu-profile.ts does.
 *
 *   node --import tsx bench/ticket/heap-profile.ts <file.heapprofile> [top]
 *   node --import tsx bench/ticket/heap-profile.ts <file.heapprofile> --callers <function name> [depth]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { packageOf, shorten, SourceResolver } from './cpu-profile';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: HeapNode[];
}

interface Allocation {
  fn: string;
  pkg: string;
  bytes: number;
  /** Callers, nearest first. */
  stack: string[];
}

function allocations(file: string): Allocation[] {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const resolver = new SourceResolver();
  const out: Allocation[] = [];
  const walk = (node: HeapNode, stack: string[]) => {
    // Heap profiles name scripts by path; the resolver (as CPU profiles do) by file URL.
    const { url } = node.callFrame;
    const { source, line } = resolver.resolve({ ...node.callFrame, url: url.startsWith('/') ? pathToFileURL(url).href : url });
    const name = node.callFrame.functionName || '(anonymous)';
    const fn = source ? `${name} ${shorten(source)}:${line}` : name;
    if (node.selfSize > 0) out.push({ fn, pkg: packageOf(source, node.callFrame.functionName), bytes: node.selfSize, stack });
    for (const child of node.children) walk(child, [fn, ...stack]);
  };
  walk(head, []);
  return out;
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

function top(all: Allocation[], key: (a: Allocation) => string, n: number): string[] {
  const total = all.reduce((sum, a) => sum + a.bytes, 0);
  const by = new Map<string, number>();
  for (const a of all) by.set(key(a), (by.get(key(a)) ?? 0) + a.bytes);
  return [...by]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, bytes]) => `  ${((bytes / total) * 100).toFixed(1).padStart(5)}%  ${mb(bytes).padStart(10)}  ${name}`);
}

function main(): void {
  const [file, second, third] = process.argv.slice(2);
  if (!file) throw new Error('usage: heap-profile.ts <file.heapprofile> [top] | --callers <function> [depth]');
  const all = allocations(file);
  if (second === '--callers') {
    const depth = Number(process.argv[5] ?? 8);
    const mine = all.filter((a) => a.fn.startsWith(`${third} `) || a.fn === third);
    console.log(top(mine, (a) => [a.fn, ...a.stack.slice(0, depth)].join('\n         < '), 10).join('\n'));
    return;
  }
  const n = Number(second ?? 25);
  const total = all.reduce((sum, a) => sum + a.bytes, 0);
  console.log(`${file}: ${mb(total)} allocated while profiling (sampled)`);
  console.log('  by function:');
  console.log(top(all, (a) => a.fn, n).join('\n'));
  console.log('  by package:');
  console.log(top(all, (a) => a.pkg, 15).join('\n'));
}

main();
