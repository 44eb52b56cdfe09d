#!/usr/bin/env bash
# A scratch PostgreSQL server on loopback for the PostgreSQL tests, on a port other than 5432 so that it never meets a
# system server. Used by .ci/run, and by developers:
#
#   .ci/postgres.sh start     # installs PostgreSQL from apt when missing (root only), initdb + start; prints the export line
#   .ci/postgres.sh env       # prints: export HPO_TEST_POSTGRES='Host=127.0.0.1;Port=55432;Username=postgres;Password=…;Database=postgres'
#   .ci/postgres.sh restart   # restarts the server (fast shutdown), for fault tests by hand
#   .ci/postgres.sh stop      # stops the server and deletes its folder
#
# Settings (environment): HPO_PG_PORT (default 55432), HPO_PG_DIR (default /tmp/hpo-postgres-$HPO_PG_PORT).
# As root the server runs as the 'postgres' user (PostgreSQL refuses to run as root); otherwise as the current user.
# Authentication is scram-sha-256 for every connection, local socket included, with a password generated at initdb and kept in
# $HPO_PG_DIR/password (mode 600): the superuser is not open to every local user, as a trust-auth server would be.
set -euo pipefail

port="${HPO_PG_PORT:-55432}"
dir="${HPO_PG_DIR:-/tmp/hpo-postgres-$port}"
data="$dir/data"

find_bin() {
  local candidate
  if [ -n "${HPO_PG_BIN:-}" ] && [ -x "$HPO_PG_BIN/pg_ctl" ]; then
    echo "$HPO_PG_BIN"; return 0
  fi
  # The newest server installed by Debian's packages, then whatever is on the PATH.
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ]; then
      echo "$candidate"; return 0
    fi
  done
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"; return 0
  fi
  return 1
}

install_if_missing() {
  if find_bin >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL's server binaries are not installed; install them (Debian: apt-get install postgresql) or set HPO_PG_BIN." >&2
    exit 1
  fi
  echo "Installing PostgreSQL from apt..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  find_bin >/dev/null || { echo "PostgreSQL was installed but pg_ctl/initdb were not found." >&2; exit 1; }
}

# Runs a server binary as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

password() {
  cat "$dir/password"
}

connection_string() {
  echo "Host=127.0.0.1;Port=$port;Username=postgres;Password=$(password);Database=postgres"
}

start() {
  install_if_missing
  local bin
  bin="$(find_bin)"
  if [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "PostgreSQL is already running in $data on port $port." >&2
  else
    mkdir -p "$dir"
    chmod 700 "$dir"
    if [ ! -f "$dir/password" ]; then
      # Letters and digits only: it goes into connection strings and URLs as is.
      (umask 077; head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$dir/password")
    fi
    if [ "$(id -u)" -eq 0 ]; then
      chown -R postgres:postgres "$dir"
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      # Password (SCRAM) authentication for every connection, on loopback only: a scratch server for tests.
      as_owner "$bin/initdb" -D "$data" -U postgres --auth=scram-sha-256 --pwfile="$dir/password" -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # Default durability (fsync and synchronous_commit stay on); enough connections for many test workers.
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') started in $data on 127.0.0.1:$port." >&2
  fi
  echo "export HPO_TEST_POSTGRES='$(connection_string)'"
}

stop() {
  local bin
  if bin="$(find_bin)" && [ -f "$data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

restart() {
  local bin
  bin="$(find_bin)"
  as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 restart \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  env) echo "export HPO_TEST_POSTGRES='$(connection_string)'" ;;
  *) echo "Usage: $0 start|stop|restart|env" >&2; exit 2 ;;
esac
