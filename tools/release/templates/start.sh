#!/usr/bin/env bash
# Starts this release's service: bin/start.sh [NODE_ID ...] (spear: the named
# nodes, default every node of the profile; one process each).
#  - In the background: output to logs/<name>.log, pid in run/<name>.pid; waits
#    until every /healthz answers 200 (SPEAR_START_TIMEOUT, default 30 s). If one
#    fails, everything this call started is stopped again and its log tail shown.
#  - SPEAR_FOREGROUND=1: execs one process in the foreground (for a supervisor).
#  - SPEAR_SOURCE_MAPS=1: runs node with --enable-source-maps, so stacks name the
#    TypeScript sources. Off by default: it costs each process ~85 MiB of heap
#    and ~0.35 s of start; bin/map-stack.mjs maps a logged stack afterwards.
# Secrets and other overrides (SPEAR_ZK_CONNECT, ...) pass through the environment.
set -euo pipefail
SCRIPT=start.sh
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
TIMEOUT="${SPEAR_START_TIMEOUT:-30}"
LOG_DIR="$RELEASE_DIR/logs"
NODE_BIN="${SPEAR_NODE_BIN:-node}"
# No memory reducer: it compacts the whole heap whenever no full GC ran for 100 s, which a
# server under steady traffic always qualifies for (a 100-150 ms pause on a busy spear node).
NODE_FLAGS=(--no-memory-reducer)
if [[ ${SPEAR_SOURCE_MAPS:-0} == 1 ]]; then NODE_FLAGS+=(--enable-source-maps); fi

check_node() {
  command -v "$NODE_BIN" >/dev/null || die "Node.js 24 or later is needed ('$NODE_BIN' not found; SPEAR_NODE_BIN names another)"
  local major
  major="$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')"
  ((major >= 24)) || die "Node.js 24 or later is needed ($NODE_BIN is $("$NODE_BIN" --version))"
}

# The profile holds no such secret: without the variable the service would fail at boot.
check_required_env() {
  local env field
  while read -r env field; do
    [[ -z $env ]] && continue
    [[ -n ${!env:-} ]] || die "set $env: the profile holds no $field"
  done <"$RELEASE_DIR/config/required-env"
}

# The environment of instance $1 (set in a subshell or right before exec).
instance_env() {
  export SPEAR_PROFILE="$RELEASE_DIR/config"
  SPEAR_VERSION="${SPEAR_VERSION:-$(cat "$RELEASE_DIR/VERSION")}"
  export SPEAR_VERSION
  if [[ -n ${NODE_IDS[$1]} ]]; then export SPEAR_NODE_ID="${NODE_IDS[$1]}"; else unset SPEAR_NODE_ID; fi
}

refuse_if_running() {
  local pid
  if pid="$(live_pid_in "$(pid_file "$1")")"; then die "${NAMES[$1]} is already running (pid $pid); bin/stop.sh first"; fi
  return 0
}

# A stranger on our port would answer the health probe in our stead.
refuse_if_port_taken() {
  local host="${HOSTS[$1]#[}"
  host="${host%]}"
  if (exec 3<>"/dev/tcp/$host/${PORTS[$1]}") 2>/dev/null; then
    die "${NAMES[$1]}: something already listens on ${HOSTS[$1]}:${PORTS[$1]}"
  fi
  return 0
}

# The probe goes straight to the service: an http_proxy in the environment must not answer for it.
healthy() {
  local url="http://${HOSTS[$1]}:${PORTS[$1]}/healthz"
  if command -v curl >/dev/null; then
    [[ "$(curl -s --noproxy '*' -o /dev/null -m 2 -w '%{http_code}' "$url" || true)" == 200 ]]
  else
    "$NODE_BIN" -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$url"
  fi
}

launch() {
  local i=$1 setsid=() log="$LOG_DIR/${NAMES[$1]}.log"
  # A session of its own: no SIGHUP when the terminal closes, no SIGINT from a Ctrl-C here.
  if command -v setsid >/dev/null; then setsid=(setsid); else setsid=(nohup); fi
  # Where this start's output begins, so a failure shows this run's lines only.
  LOG_START[i]=1
  if [[ -f $log ]]; then LOG_START[i]=$(($(wc -c <"$log") + 1)); fi
  (
    instance_env "$i"
    cd "$RELEASE_DIR"
    # exec keeps the subshell's pid ($!); setsid does not fork as this subshell leads no group.
    exec "${setsid[@]}" "$NODE_BIN" ${NODE_FLAGS[@]+"${NODE_FLAGS[@]}"} "$RELEASE_DIR/app/main.js" </dev/null >>"$log" 2>&1
  ) &
  echo $! >"$(pid_file "$i")"
}

load_instances
select_instances "$@"
check_node
check_required_env
for i in "${SELECTED[@]}"; do refuse_if_running "$i"; done
mkdir -p "$RUN_DIR" "$LOG_DIR"

if [[ ${SPEAR_FOREGROUND:-} == 1 ]]; then
  ((${#SELECTED[@]} == 1)) || die "SPEAR_FOREGROUND=1 runs one process; name one of: $(instance_ids)"
  i=${SELECTED[0]}
  instance_env "$i"
  cd "$RELEASE_DIR"
  echo $$ >"$(pid_file "$i")" # exec keeps this pid, so stop.sh works here too
  exec "$NODE_BIN" ${NODE_FLAGS[@]+"${NODE_FLAGS[@]}"} "$RELEASE_DIR/app/main.js"
fi

for i in "${SELECTED[@]}"; do refuse_if_port_taken "$i"; done
LOG_START=()
for i in "${SELECTED[@]}"; do launch "$i"; done

pending=("${SELECTED[@]}") failed=()
deadline=$((SECONDS + TIMEOUT))
while ((${#pending[@]} > 0)); do
  still=()
  for i in "${pending[@]}"; do
    pid="$(cat "$(pid_file "$i")")"
    if healthy "$i"; then
      say "${NAMES[i]}: up (pid $pid) on http://${HOSTS[i]}:${PORTS[i]}"
    elif ! is_running "$pid"; then # not is_service_pid: it may not have exec'd node yet
      failed+=("$i")
      say "${NAMES[i]}: exited during start"
    elif ((SECONDS >= deadline)); then
      failed+=("$i")
      say "${NAMES[i]}: /healthz not 200 after ${TIMEOUT} s"
    else
      still+=("$i")
    fi
  done
  pending=(${still[@]+"${still[@]}"})
  if ((${#pending[@]} > 0)); then sleep 0.25; fi
done

if ((${#failed[@]} > 0)); then
  # All or nothing: a half-started set would make the next start.sh refuse the healthy ones.
  files=()
  for i in "${SELECTED[@]}"; do files+=("$(pid_file "$i")"); done
  stop_pid_files 10 "${files[@]}"
  for i in "${failed[@]}"; do
    tail_out="$(tail -c "+${LOG_START[i]}" "$LOG_DIR/${NAMES[i]}.log" | tail -n 30)"
    printf '\n--- %s, last 30 lines of this start ---\n%s\n' "$LOG_DIR/${NAMES[i]}.log" "${tail_out:-(nothing logged yet)}" >&2
  done
  names=()
  for i in "${failed[@]}"; do names+=("${NAMES[i]}"); done
  die "could not start ${names[*]}"
fi
