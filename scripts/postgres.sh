#!/usr/bin/env bash
# Start or stop the PostgreSQL cluster the test suite uses.
#
#   scripts/postgres.sh start   # prints the database URI on stdout (nothing else)
#   scripts/postgres.sh stop    # stops the cluster only if `start` started it
#
# Needs root and the Debian `postgresql` package (make test installs it when root).
# Without root, `start` succeeds only if ARDEA_TEST_POSTGRES_URI is already set (it then just
# echoes it back); otherwise it exits 1 and the PostgreSQL tests skip (or fail under CI=true).
# The database (default ardea_test, override with ARDEA_PG_DB) is recreated empty on start,
# unless another client is connected to it, in which case it is kept.
set -euo pipefail

DB="${ARDEA_PG_DB:-ardea_test}"
ROLE=ardea
PASSWORD=ardea
PORT=5432
STATE="${TMPDIR:-/tmp}/ardea-postgres-started-$(id -u)"

log() { echo "postgres.sh: $*" >&2; }

cluster_version() {
  pg_lsclusters -h | awk '$2=="main"{print $1}' | sort -n | tail -1
}

as_postgres() { su postgres -c "$1"; }

start() {
  if [ "$(id -u)" != 0 ]; then
    if [ -n "${ARDEA_TEST_POSTGRES_URI:-}" ]; then
      echo "$ARDEA_TEST_POSTGRES_URI"
      return 0
    fi
    log "not root and ARDEA_TEST_POSTGRES_URI unset: PostgreSQL tests will skip"
    return 1
  fi
  if ! command -v pg_ctlcluster >/dev/null; then
    log "the postgresql package is not installed (apt-get install postgresql)"
    return 1
  fi
  local ver
  ver=$(cluster_version)
  if [ -z "$ver" ]; then
    log "no 'main' PostgreSQL cluster found (pg_lsclusters)"
    return 1
  fi
  if ! pg_ctlcluster "$ver" main status >/dev/null 2>&1; then
    pg_ctlcluster "$ver" main start >&2
    echo "$ver" >"$STATE"
    log "started cluster $ver/main"
  fi
  pg_isready -h 127.0.0.1 -p "$PORT" -t 30 >&2
  as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$ROLE'\"" | grep -q 1 \
    || as_postgres "psql -q -v ON_ERROR_STOP=1 -c \"CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'\"" >&2
  # CREATEDB: under pytest-xdist each worker makes its own ${DB}_gwN (tests/fixtures/xdist_services.py)
  as_postgres "psql -q -v ON_ERROR_STOP=1 -c \"ALTER ROLE $ROLE CREATEDB\"" >&2
  if as_postgres "dropdb --if-exists $DB" 2>/dev/null; then
    as_postgres "createdb -O $ROLE $DB" >&2
  else
    log "database $DB is in use by another client; keeping it"
  fi
  echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
}

stop() {
  if [ ! -f "$STATE" ]; then
    return 0  # we did not start it: leave it alone
  fi
  local ver
  ver=$(cat "$STATE")
  rm -f "$STATE"
  if pg_ctlcluster "$ver" main stop >&2; then
    log "stopped cluster $ver/main"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
