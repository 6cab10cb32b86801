#!/usr/bin/env bash
# Tansu (a Kafka-compatible broker written in Rust) for the end-to-end tests and the benchmark.
#
#   scripts/tansu.sh install        installs tansu 0.6.0 unless that version is already on PATH
#   scripts/tansu.sh start PORT     starts an in-memory broker on 127.0.0.1:PORT in the background,
#                                   waits until it accepts connections, prints its address
#   scripts/tansu.sh stop [PORT]    stops the broker(s) started by `start` (by recorded pid)
#
# The test harness (tests/src/lib.rs) spawns `tansu broker` itself so that each test gets a
# fresh broker it owns; this script is for CI setup and for running a broker by hand.
set -euo pipefail

TANSU_VERSION=0.6.0
# `dynostore,postgres` are the storage engines the project may use later; the tests use
# `memory://` which needs no feature, but one binary for every use keeps CI caches simple.
TANSU_FEATURES=dynostore,postgres
STATE_DIR="${TMPDIR:-/tmp}/reportflow-tansu"

tansu_bin() {
  if command -v tansu >/dev/null 2>&1; then
    command -v tansu
  elif [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/tansu" ]; then
    echo "${CARGO_HOME:-$HOME/.cargo}/bin/tansu"
  else
    return 1
  fi
}

installed_version() {
  local bin
  bin=$(tansu_bin) || return 1
  # `tansu --version` prints e.g. `tansu 0.6.0`.
  "$bin" --version 2>/dev/null | awk '{print $NF}'
}

cmd_install() {
  if [ "$(installed_version || true)" = "$TANSU_VERSION" ]; then
    echo "tansu $TANSU_VERSION already installed: $(tansu_bin)"
    return 0
  fi
  # A concurrent install (e.g. another CI step) would fight over the same cargo target dir.
  if pgrep -f "cargo install tansu" >/dev/null 2>&1; then
    echo "another 'cargo install tansu' is running; waiting for it" >&2
    while pgrep -f "cargo install tansu" >/dev/null 2>&1; do sleep 5; done
    if [ "$(installed_version || true)" = "$TANSU_VERSION" ]; then
      echo "tansu $TANSU_VERSION installed by the other process: $(tansu_bin)"
      return 0
    fi
  fi
  cargo install "tansu@$TANSU_VERSION" --locked --features "$TANSU_FEATURES"
  echo "installed $(tansu_bin): $(installed_version)"
}

wait_port() {
  local port=$1 deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do
    # bash's /dev/tcp: no nc/curl needed on the CI image.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

cmd_start() {
  local port=${1:?usage: tansu.sh start PORT}
  local bin
  bin=$(tansu_bin) || { echo "tansu is not installed: run scripts/tansu.sh install" >&2; exit 1; }
  mkdir -p "$STATE_DIR"
  "$bin" broker \
    --listener-url "tcp://127.0.0.1:$port" \
    --advertised-listener-url "tcp://127.0.0.1:$port" \
    --storage-engine memory://tansu/ \
    >"$STATE_DIR/tansu-$port.log" 2>&1 &
  echo $! >"$STATE_DIR/tansu-$port.pid"
  if ! wait_port "$port"; then
    echo "tansu did not accept connections on 127.0.0.1:$port within 30 s; log:" >&2
    tail -n 50 "$STATE_DIR/tansu-$port.log" >&2 || true
    exit 1
  fi
  echo "127.0.0.1:$port"
}

cmd_stop() {
  local pattern="tansu-${1:-*}.pid" f
  shopt -s nullglob
  for f in "$STATE_DIR"/$pattern; do
    # Only the pid this script recorded, never a name-based kill.
    kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
}

case "${1:-}" in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) echo "usage: $0 install | start PORT | stop [PORT]" >&2; exit 2 ;;
esac
