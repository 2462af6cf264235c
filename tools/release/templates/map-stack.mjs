#!/usr/bin/env node
// Maps a logged stack trace from app/main.js back to the TypeScript sources:
//   bin/map-stack.mjs < trace.txt     (or paste it, then Ctrl-D; or "$SPEAR_NODE_BIN" bin/map-stack.mjs)
// The services run without --enable-source-maps (it costs each process ~85
// MiB of heap and ~0.35 s of start; docs/BENCHMARKS.md in the repository), so
// their stacks name main.js lines; this reads the source map shipped beside
// main.js and rewrites every `main.js:LINE:COLUMN` it can map, leaving the
// rest of the text as it was.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mapFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'app', 'main.js.map');
const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));

/** `main.js:L:C` (1-based, as V8 prints them) to `source:L:C`, or the text unchanged when nothing maps there. */
function mapFrame(text, line, column) {
  const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
  // findEntry answers the nearest mapping before the position, possibly lines earlier: only the same line counts.
  if (entry.originalSource === undefined || entry.generatedLine !== Number(line) - 1) return text;
  const source = entry.originalSource.replace(/^(?:\.\.\/)+/, '');
  return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

const input = readFileSync(0, 'utf8');
// Only this release's bundle (`.../app/main.js`), not any file whose name ends in main.js.
process.stdout.write(input.replace(/[^\s()]*\/app\/main\.js:(\d+):(\d+)/g, mapFrame));
