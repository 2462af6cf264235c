#!/usr/bin/env bash
# The comparison benchmarks of Spear against plain socket.io (bench/compare/run.ts).
#   npm run bench                    every scenario at full size (~10 min); figures in .run/bench/ (git-ignored)
#   npm run bench -- --update-docs   the same, and rewrites the tables in docs/BENCHMARKS.md
#                                    and docs/bench-results/compare.json
#   npm run bench:quick              every scenario small (< 3 min); checks that messages arrive (CI runs it)
# Installs what is missing and builds the app bundles first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash scripts/install-engines.sh
ensure_node_modules
log "build"
npx nx run-many -t build --projects=tag:type:app --output-style=static --parallel=2
log "compare bench $*"
node --import tsx bench/compare/run.ts "$@"
