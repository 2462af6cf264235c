# Shared by scripts/up.sh and scripts/test.sh. Source it from the repository root.
export NX_NO_CLOUD=true NX_DAEMON=false NX_SKIP_NX_CACHE="${NX_SKIP_NX_CACHE:-false}" NX_TUI=false
export NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=4096"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Node dependencies, installed from the lockfile when missing or out of date.
ensure_node_modules() {
  local want have=""
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  [ -f node_modules/.spear-lock-sha ] && have=$(cat node_modules/.spear-lock-sha)
  if [ "$want" != "$have" ]; then
    log "installing node dependencies (npm ci)"
    npm ci --no-audit --no-fund
    echo "$want" > node_modules/.spear-lock-sha
  else
    log "node dependencies up to date"
  fi
}
