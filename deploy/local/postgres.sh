#!/usr/bin/env bash
# Make sure the machine's local PostgreSQL answers on 127.0.0.1:5432 (no Docker needed).
#
#   deploy/local/postgres.sh ensure   start the local Debian cluster if it is not accepting
#                                     connections yet, then wait until it is (bounded)
#   deploy/local/postgres.sh status   exit 0 if it accepts connections, 1 otherwise
#
# Environment knobs (defaults in brackets):
#   PGHOST_CHECK        [127.0.0.1]  host pg_isready probes
#   PGPORT_CHECK        [5432]       port pg_isready probes
#   PG_CLUSTER_VERSION  [the only/newest folder in /etc/postgresql]  Debian cluster version
#   PG_CLUSTER_NAME     [main]       Debian cluster name
#   PG_START_TIMEOUT    [30]         seconds to wait for the server to accept connections
#
# It only starts the server: the per-agency databases are created by the Node test harness.
# To use another PostgreSQL, skip this script and set DATABASE_URL for the services.

set -euo pipefail

PGHOST_CHECK="${PGHOST_CHECK:-127.0.0.1}"
PGPORT_CHECK="${PGPORT_CHECK:-5432}"
PG_CLUSTER_NAME="${PG_CLUSTER_NAME:-main}"
PG_START_TIMEOUT="${PG_START_TIMEOUT:-30}"

say() { printf 'postgres.sh: %s\n' "$*"; }
die() {
  printf 'postgres.sh: error: %s\n' "$*" >&2
  exit 1
}

ready() { pg_isready -q -h "$PGHOST_CHECK" -p "$PGPORT_CHECK" -t 2; }

cluster_version() {
  if [[ -n "${PG_CLUSTER_VERSION:-}" ]]; then
    printf '%s\n' "$PG_CLUSTER_VERSION"
    return 0
  fi
  [[ -d /etc/postgresql ]] ||
    die "no /etc/postgresql: PostgreSQL server is not installed (apt-get install -y postgresql), or point DATABASE_URL at another server"
  local v
  v="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)"
  [[ -n "$v" ]] || die "/etc/postgresql has no cluster version folder; create one with pg_createcluster"
  printf '%s\n' "$v"
}

cmd_ensure() {
  command -v pg_isready >/dev/null 2>&1 ||
    die "pg_isready not found: install the PostgreSQL client tools (apt-get install -y postgresql-client)"
  [[ "$PG_START_TIMEOUT" =~ ^[0-9]+$ ]] || die "PG_START_TIMEOUT must be a number of seconds"
  if ready; then
    say "PostgreSQL accepts connections on $PGHOST_CHECK:$PGPORT_CHECK"
    return 0
  fi
  command -v pg_ctlcluster >/dev/null 2>&1 ||
    die "PostgreSQL is not answering on $PGHOST_CHECK:$PGPORT_CHECK and pg_ctlcluster (postgresql-common) is missing; start your server yourself or set DATABASE_URL to one that runs"
  local version
  version="$(cluster_version)"
  say "PostgreSQL not answering on $PGHOST_CHECK:$PGPORT_CHECK; starting cluster $version/$PG_CLUSTER_NAME"
  if ! pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER_NAME" start; then
    # "already running" is not an error as long as it answers below.
    say "pg_ctlcluster start returned an error; checking whether the server answers anyway"
  fi
  local i
  for ((i = 0; i < PG_START_TIMEOUT * 2; i++)); do
    if ready; then
      say "PostgreSQL accepts connections on $PGHOST_CHECK:$PGPORT_CHECK"
      return 0
    fi
    sleep 0.5
  done
  die "PostgreSQL $version/$PG_CLUSTER_NAME did not accept connections on $PGHOST_CHECK:$PGPORT_CHECK within ${PG_START_TIMEOUT}s. Check: pg_lsclusters; the log in /var/log/postgresql/postgresql-$version-$PG_CLUSTER_NAME.log; the port in /etc/postgresql/$version/$PG_CLUSTER_NAME/postgresql.conf"
}

cmd_status() {
  if ready; then
    say "PostgreSQL accepts connections on $PGHOST_CHECK:$PGPORT_CHECK"
    return 0
  fi
  say "PostgreSQL does not accept connections on $PGHOST_CHECK:$PGPORT_CHECK"
  return 1
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  status) cmd_status ;;
  -h | --help | help) sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" ;;
  *)
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac
