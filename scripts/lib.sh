# Shared by scripts/up.sh and scripts/test.sh. Source it from the repository root.
export NX_NO_CLOUD=true NX_DAEMON=false NX_SKIP_NX_CACHE="${NX_SKIP_NX_CACHE:-false}" NX_TUI=false
export NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=4096"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# The Node.js the project runs on (package.json "engines"): Node 24 LTS. A machine with an older
# one gets this version from the npm registry (the `node` package installs the binary for this
# platform) into ~/.cache/spear, first on PATH for everything the calling script runs after.
SPEAR_NODE_MAJOR=24
SPEAR_NODE_VERSION=24.21.0
ensure_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge "$SPEAR_NODE_MAJOR" ]; then return; fi
  local dir="${SPEAR_CACHE:-$HOME/.cache/spear}/node-$SPEAR_NODE_VERSION"
  if [ ! -x "$dir/node_modules/node/bin/node" ]; then
    log "Node $(node --version 2>/dev/null || echo none) is older than $SPEAR_NODE_MAJOR: installing Node $SPEAR_NODE_VERSION from the npm registry into $dir"
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm install --no-save --no-package-lock --no-audit --no-fund "node@$SPEAR_NODE_VERSION" >/dev/null)
  fi
  export PATH="$dir/node_modules/node/bin:$PATH"
  log "using Node $(node --version) ($dir)"
}
ensure_node

# Node dependencies, installed from the lockfile when missing or out of date.
ensure_node_modules() {
  local want have=""
  # Keyed on the Node major too: a dependency may install differently for another runtime.
  want="$(sha256sum package-lock.json | cut -d' ' -f1) node$(node -p 'process.versions.node.split(".")[0]')"
  [ -f node_modules/.spear-lock-sha ] && have=$(cat node_modules/.spear-lock-sha)
  if [ "$want" != "$have" ]; then
    log "installing node dependencies (npm ci)"
    # --no-audit here only: advisories are checked once, with a verdict and an allow-list, by
    # tools/audit in scripts/test.sh; npm ci's own audit would only print a warning nobody acts on.
    npm ci --no-audit --no-fund
    echo "$want" > node_modules/.spear-lock-sha
  else
    log "node dependencies up to date"
  fi
}
