#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests, on its own port with trust authentication on
# loopback, so the tests need neither the machine's cluster nor its passwords.
#
#   scripts/postgres.sh install   installs Debian's postgresql package when initdb is absent
#   scripts/postgres.sh start     creates the cluster if new, starts it if down, prints its
#                                 admin URL (postgres://postgres@127.0.0.1:PORT/postgres)
#   scripts/postgres.sh stop      stops it
#   scripts/postgres.sh url       prints the admin URL
#
# The tests read the URL from REPORTFLOW_TEST_PG, whose default is this script's URL.
# Environment: REPORTFLOW_PG_PORT (default 55432), REPORTFLOW_PG_DIR (default
# ${TMPDIR:-/tmp}/reportflow-pg-PORT). Run as root, the server runs as the `postgres` user
# (PostgreSQL refuses to run as root); otherwise as the calling user.
set -euo pipefail

PORT="${REPORTFLOW_PG_PORT:-55432}"
DIR="${REPORTFLOW_PG_DIR:-${TMPDIR:-/tmp}/reportflow-pg-$PORT}"
URL="postgres://postgres@127.0.0.1:$PORT/postgres"

die() { echo "postgres.sh: $*" >&2; exit 1; }

pg_bin() {
  # The newest installed server version's binaries.
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] && [ -x "$d/initdb" ] || return 1
  echo "$d"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd_install() {
  if pg_bin >/dev/null; then
    echo "PostgreSQL server binaries: $(pg_bin)"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and this is not root: apt-get install postgresql"
  echo "postgres.sh: installing Debian's postgresql package" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  pg_bin >/dev/null || die "postgresql installed but no initdb found under /usr/lib/postgresql"
  echo "PostgreSQL server binaries: $(pg_bin)"
}

cmd_start() {
  local bin
  bin=$(pg_bin) || { cmd_install >&2; bin=$(pg_bin); }
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
    echo "$URL"
    return 0
  fi
  if [ ! -f "$DIR/PG_VERSION" ]; then
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
    as_owner "$bin/initdb" -D "$DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      >"$DIR.initdb.log" 2>&1 || { cat "$DIR.initdb.log" >&2; die "initdb failed"; }
  fi
  # Sockets in the data directory: /var/run/postgresql may not exist or be writable.
  as_owner "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" \
    >/dev/null || { tail -20 "$DIR/server.log" >&2; die "the server did not start"; }
  echo "$URL"
}

cmd_stop() {
  local bin
  bin=$(pg_bin) || die "PostgreSQL is not installed"
  [ -f "$DIR/postmaster.pid" ] || { echo "not running"; return 0; }
  as_owner "$bin/pg_ctl" -D "$DIR" -m fast -w stop
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) echo "$URL" ;;
  -h|--help|"") sed -n '2,14p' "$0" ;;
  *) die "unknown command $1 (try --help)" ;;
esac
