#!/usr/bin/env bash
# Installs the real engines Spear's tests and local cluster run as child
# processes: ZooKeeper and Redis from Debian, Chromium (headless browser
# tests), promtool (Debian's prometheus package: checks deploy/monitoring),
# and Apache Kafka 3.9.1 jars from Maven Central into a cache.
# Idempotent: a second run only checks and exits.
set -euo pipefail

readonly KAFKA_VERSION=3.9.1
readonly APT_PACKAGES=(zookeeper redis-server chromium prometheus)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SPEAR_CACHE:-$HOME/.cache/spear}"
KAFKA_HOME="$CACHE/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_MARKER="$KAFKA_HOME/.complete"

step() { printf '==> %s\n' "$*"; }
fail() { printf 'install-engines: error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, via sudo otherwise.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    fail "need root to run '$*' (not root and sudo is not installed)"
  fi
}

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

install_apt_packages() {
  step "Checking Debian packages: ${APT_PACKAGES[*]}"
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    step "Debian packages already installed"
    return
  fi
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install ${missing[*]} by hand"
  step "Installing missing Debian packages: ${missing[*]}"
  as_root apt-get update -q || fail "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || fail "apt-get install ${missing[*]} failed"
  stop_debian_services
}

# The Debian packages enable system services on default ports (redis 6379,
# zookeeper 2181, prometheus 9090). Our engines use their own ports and data
# dirs, and only promtool of the prometheus package is used, so these services
# are never needed; stop them so they hold no ports or memory.
# Best effort: containers usually have no systemd, which is fine.
stop_debian_services() {
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    step "Stopping and disabling Debian's redis-server/zookeeper/prometheus services (not used by Spear)"
    as_root systemctl disable --now redis-server.service zookeeper.service prometheus.service >/dev/null 2>&1 || true
  elif command -v service >/dev/null 2>&1; then
    as_root service redis-server stop >/dev/null 2>&1 || true
    as_root service zookeeper stop >/dev/null 2>&1 || true
    as_root service prometheus stop >/dev/null 2>&1 || true
  fi
}

install_kafka() {
  step "Checking Apache Kafka $KAFKA_VERSION jars in $KAFKA_LIBS"
  if [[ -f "$KAFKA_MARKER" ]]; then
    step "Kafka $KAFKA_VERSION already in cache"
    return
  fi
  command -v mvn >/dev/null 2>&1 || fail "mvn (Maven) not found; apt-get install maven"
  command -v java >/dev/null 2>&1 || fail "java not found; apt-get install default-jre-headless"
  step "Resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION from Maven Central (first run takes a while)"
  # Start from an empty folder so a half-finished earlier run leaves no stray jars.
  rm -rf "$KAFKA_LIBS"
  mkdir -p "$KAFKA_LIBS"
  # Maven's output goes to a log (Debian's Maven 3.8 prints stray colour codes even
  # with -B); it is shown only when resolving fails.
  local log="$KAFKA_HOME/maven.log"
  if ! mvn -q -B -f "$ROOT/tools/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "Maven could not resolve Kafka $KAFKA_VERSION from Maven Central (full log: $log)"
  fi
  compgen -G "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null \
    || fail "kafka_2.13-$KAFKA_VERSION.jar missing from $KAFKA_LIBS after Maven ran"
  # The marker is written last so an interrupted run is redone next time.
  date -u +%FT%TZ >"$KAFKA_MARKER"
  step "Kafka $KAFKA_VERSION installed"
}

# The fault suite's node kill simulates 10,000 users with a small Go program
# (test/support/fleet-go, standard library only); Debian's Go is new enough.
install_go() {
  if command -v go >/dev/null 2>&1; then
    step "Go already installed ($(go version | cut -d' ' -f3))"
    return
  fi
  command -v apt-get >/dev/null 2>&1 || fail "go not found and no apt-get; install Go >= 1.19 by hand"
  step "Installing Debian's Go (golang-go)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends golang-go \
    || { as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends golang-go; } \
    || fail "apt-get install golang-go failed"
}

install_apt_packages
install_kafka
install_go
step "Kafka jars: $KAFKA_LIBS"
step "Engines ready"
