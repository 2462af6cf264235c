# Shared by start.sh and stop.sh (sourced, not run). Everything is found
# relative to the release folder, so the folder works wherever it is copied.
# shellcheck shell=bash

RELEASE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$RELEASE_DIR/run"

say() { printf '%s: %s\n' "$SCRIPT" "$*"; }
die() { printf '%s: error: %s\n' "$SCRIPT" "$*" >&2; exit 1; }

# config/instances, one `name host port [nodeId]` line per process, as arrays.
NAMES=() HOSTS=() PORTS=() NODE_IDS=()
load_instances() {
  local name host port node_id
  while read -r name host port node_id; do
    [[ -z $name || $name == \#* ]] && continue
    NAMES+=("$name") HOSTS+=("$host") PORTS+=("$port") NODE_IDS+=("${node_id:-}")
  done <"$RELEASE_DIR/config/instances"
  ((${#NAMES[@]} > 0)) || die "no instances in $RELEASE_DIR/config/instances"
}

# SELECTED: the indices named by the arguments (node ids or names); all without arguments.
select_instances() {
  SELECTED=()
  if (($# == 0)); then
    SELECTED=("${!NAMES[@]}")
    return
  fi
  local want i found
  for want in "$@"; do
    found=
    for i in "${!NAMES[@]}"; do
      if [[ ${NODE_IDS[i]} == "$want" || ${NAMES[i]} == "$want" ]]; then
        SELECTED+=("$i")
        found=1
      fi
    done
    [[ -n $found ]] || die "no instance '$want' in this release (have: $(instance_ids))"
  done
}

instance_ids() {
  local i out=()
  for i in "${!NAMES[@]}"; do out+=("${NODE_IDS[i]:-${NAMES[i]}}"); done
  echo "${out[*]}"
}

pid_file() { echo "$RUN_DIR/${NAMES[$1]}.pid"; }

# True while process $1 exists and is not a zombie (dead, not yet reaped by its parent).
is_running() {
  local state
  [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
  if [[ -r /proc/$1/stat ]]; then
    state="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    state="${state##*) }"
  else
    state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  fi
  [[ $state != Z* ]]
}

# True when $1 is a running Spear service. A pid file can outlive its process and
# the pid be reused by another program, so where /proc exists the command line
# must be a release bundle's.
is_service_pid() {
  local cmdline
  is_running "$1" || return 1
  [[ -r /proc/$1/cmdline ]] || return 0
  cmdline="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
  [[ $cmdline == *app/main.js* ]]
}

# Prints the pid in pid file $1 when that process is a live service.
live_pid_in() {
  local pid
  [[ -f $1 ]] || return 1
  pid="$(tr -dc '0-9' <"$1")"
  is_service_pid "$pid" && echo "$pid"
}

# stop_pid_files TIMEOUT FILE...: SIGTERM every live pid (a graceful stop unregisters
# from ZooKeeper first), SIGKILL whatever still runs after TIMEOUT seconds, remove the files.
stop_pid_files() {
  local timeout=$1 file pid name deadline
  shift
  local pids=() names=()
  for file in "$@"; do
    name="$(basename "$file" .pid)"
    if pid="$(live_pid_in "$file")"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid") names+=("$name")
      say "$name: stopping (pid $pid)"
    else
      say "$name: not running"
    fi
  done
  if ((${#pids[@]} == 0)); then
    rm -f "$@"
    return 0
  fi
  deadline=$((SECONDS + timeout))
  local i alive=1
  while ((alive && SECONDS < deadline)); do
    alive=0
    for pid in "${pids[@]}"; do
      if is_service_pid "$pid"; then alive=1; fi
    done
    if ((alive)); then sleep 0.2; fi
  done
  for i in "${!pids[@]}"; do
    if is_service_pid "${pids[i]}"; then
      say "${names[i]}: still running after ${timeout} s; sending SIGKILL"
      kill -KILL "${pids[i]}" 2>/dev/null || true
    fi
  done
  # SIGKILL is not instant either; a process stuck in the kernel is reported, not waited for.
  deadline=$((SECONDS + 5))
  for i in "${!pids[@]}"; do
    while is_service_pid "${pids[i]}" && ((SECONDS < deadline)); do sleep 0.1; done
    if is_service_pid "${pids[i]}"; then say "${names[i]}: pid ${pids[i]} survived SIGKILL"; fi
  done
  rm -f "$@"
}
