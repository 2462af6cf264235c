'use strict';
// `--trace-gc-nvp` is refused in NODE_OPTIONS; a preload may still turn it on.
// One line per GC with its phases (scavenge.parallel, promoted, new_space_survived, ...):
// BENCH_NODE_OPTIONS="--require $PWD/bench/support/trace-gc.cjs" (see bench/compare/steady.bench.ts).
require('node:v8').setFlagsFromString('--trace-gc-nvp');
