#!/usr/bin/env bash
# Every test: lint, typecheck, unit, integration (real engines) and end to end.
# Installs what is missing first; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash scripts/install-engines.sh
ensure_node_modules

export SPEAR_TEST_RESULTS="$PWD/.run/test-results"
rm -rf "$SPEAR_TEST_RESULTS" && mkdir -p "$SPEAR_TEST_RESULTS"

# CI proves everything from scratch; locally, unchanged lint and typecheck results are reused.
cache_flag=""
[ "${CI:-}" = "true" ] && cache_flag="--skip-nx-cache"
log "dependency floor (known advisories of the socket.io stack)"
node scripts/check-dependency-floor.mjs
log "dependency advisories (npm audit of package-lock.json, reviewed allow-list: tools/audit, docs/SECURITY.md)"
node --import tsx tools/audit/main.ts
log "monitoring files (deploy/monitoring: promtool check config and rules, promtool test rules, dashboard queries; tools/monitoring)"
node --import tsx tools/monitoring/main.ts check
log "lint and typecheck"
npx nx run-many -t lint typecheck --output-style=static --parallel=2 $cache_flag
log "build"
npx nx run-many -t build --output-style=static --parallel=2
# Tests run for real every time: their inputs include engines the cache cannot see.
status=0
log "unit and integration tests"
npx nx run-many -t test --exclude=e2e --output-style=static --parallel=2 --skip-nx-cache || status=$?
# Alone: the fault suite's node kill reconnects ~4,900 clients on this machine's two CPUs, and its
# timing goals (99% within 10 s) do not hold while other suites compete for them.
log "end-to-end tests"
npx nx run e2e:test --output-style=static --skip-nx-cache || status=$?
# The same suite once more on the cluster profile's engines (issue #20): a ZooKeeper ensemble, a Redis
# Cluster, three Kafka brokers. Files that reach into a single engine are left out (test/vitest.config.mts).
log "end-to-end tests on clustered engines"
SPEAR_E2E_ENGINES=clustered npx nx run e2e:test --output-style=static --skip-nx-cache || status=$?
if [ "$status" -ne 0 ]; then
  node scripts/test-summary.mjs "$SPEAR_TEST_RESULTS" || true
  exit "$status"
fi
log "benchmark harness, small (bench:quick: every scenario of issue #7 runs and its messages arrive)"
node --import tsx bench/compare/run.ts --quick
log "summary"
node scripts/test-summary.mjs "$SPEAR_TEST_RESULTS"
