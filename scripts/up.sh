#!/usr/bin/env bash
# The whole local cluster: engines, idgen, stat, ticket, two spear nodes, minions.
# Usage: npm start [-- --profile local-kafka]. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash scripts/install-engines.sh
ensure_node_modules
log "building the services"
npx nx run-many -t build --projects=tag:type:app --output-style=static
exec node --import tsx tools/cluster/up.ts "$@"
