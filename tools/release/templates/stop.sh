#!/usr/bin/env bash
# Stops this release's service: bin/stop.sh [NODE_ID ...] (default: every pid
# file in run/). SIGTERM (the service unregisters from ZooKeeper, then closes),
# SIGKILL after SPEAR_STOP_TIMEOUT (default 15) seconds; pid files are removed.
# Safe to repeat: nothing running is not an error.
set -euo pipefail
SCRIPT=stop.sh
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
TIMEOUT="${SPEAR_STOP_TIMEOUT:-15}"

files=()
if (($# > 0)); then
  load_instances
  select_instances "$@"
  for i in "${SELECTED[@]}"; do files+=("$(pid_file "$i")"); done
else
  shopt -s nullglob
  files=("$RUN_DIR"/*.pid)
fi
if ((${#files[@]} == 0)); then
  say "nothing running (no pid files in $RUN_DIR)"
  exit 0
fi
stop_pid_files "$TIMEOUT" "${files[@]}"
