#!/usr/bin/env node
// Fails when the lockfile resolves any copy of a transport package below the
// version that fixes its known advisories (every copy counts: a nested old one
// is as exploitable as a top-level one). Run by scripts/test.sh.
// Usage: node scripts/check-dependency-floor.mjs [path/to/package-lock.json]
import { readFileSync } from 'node:fs';

/** Package -> lowest acceptable version, and why. */
const FLOOR = {
  ws: ['8.17.1', 'CVE-2024-37890: a request with many headers crashes the server'],
  'socket.io': ['4.6.2', 'CVE-2024-38355: an unhandled error event crashes the server'],
  // Issue #8 names 6.2.1; 6.4.2 also fixes CVE-2023-31125 (another uncaught-exception crash).
  'engine.io': ['6.4.2', 'CVE-2022-41940, CVE-2023-31125: a malformed packet crashes the server'],
  'socket.io-parser': ['4.2.6', 'malformed packets (the floor set in issue #8)'],
};

const parse = (v) => v.split(/[.+-]/).slice(0, 3).map(Number);
const atLeast = (version, floor) => {
  const [a, b] = [parse(version), parse(floor)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
};

const lockPath = process.argv[2] ?? new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const found = Object.fromEntries(Object.keys(FLOOR).map((name) => [name, []]));
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  const name = path.split('node_modules/').at(-1);
  if (name in found && entry.version) found[name].push({ path, version: entry.version });
}
let failed = false;
for (const [name, [floor, why]] of Object.entries(FLOOR)) {
  const copies = found[name];
  if (copies.length === 0) {
    console.log(`dependency floor: ${name} not installed (nothing to check)`);
    continue;
  }
  for (const { path, version } of copies) {
    const ok = atLeast(version, floor);
    if (!ok) failed = true;
    console.log(`dependency floor: ${ok ? 'ok  ' : 'FAIL'} ${name} ${version} (>= ${floor}) at ${path}${ok ? '' : ` — ${why}`}`);
  }
}
process.exit(failed ? 1 : 0);
