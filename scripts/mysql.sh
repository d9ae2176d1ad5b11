#!/usr/bin/env bash
# Start or stop the MariaDB (MySQL) server the test suite uses.
#
#   scripts/mysql.sh start   # prints the database URI on stdout (nothing else)
#   scripts/mysql.sh stop    # stops the server only if `start` started it
#
# Needs root and the Debian `mariadb-server` package (installed here with apt-get when missing).
# Without root, `start` succeeds only if ARDEA_TEST_MYSQL_URI is already set (it then just
# echoes it back); otherwise it exits 1 and the MySQL tests skip (or fail under CI=true).
# The database (default ardea_test, override with ARDEA_MYSQL_DB) is recreated empty on start;
# the user ardea/ardea may use it from 127.0.0.1 and localhost.
set -euo pipefail

DB="${ARDEA_MYSQL_DB:-ardea_test}"
USER_NAME=ardea
PASSWORD=ardea
PORT=3306
SOCKET=/run/mysqld/mysqld.sock
STATE="${TMPDIR:-/tmp}/ardea-mysql-started-$(id -u)"
LOG="${TMPDIR:-/tmp}/ardea-mysql-$(id -u).log"

log() { echo "mysql.sh: $*" >&2; }

server_bin() { command -v mariadbd || command -v mysqld || true; }

as_root_sql() { mysql --protocol=socket -S "$SOCKET" -uroot -e "$1"; }

alive() { mysqladmin --protocol=socket -S "$SOCKET" -uroot ping >/dev/null 2>&1; }

install_server() {
  command -v apt-get >/dev/null || { log "no apt-get: install MariaDB yourself"; return 1; }
  log "apt-get install mariadb-server"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q --no-install-recommends mariadb-server; } >&2
}

start_server() {
  mkdir -p /run/mysqld
  chown mysql:mysql /run/mysqld
  if [ ! -d /var/lib/mysql/mysql ]; then
    log "initialising /var/lib/mysql"
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql >&2 \
      || mysql_install_db --user=mysql --datadir=/var/lib/mysql >&2
  fi
  # Our own mysqld_safe (not `service`, which needs an init system): loopback only.
  nohup mysqld_safe --user=mysql --bind-address=127.0.0.1 --port="$PORT" \
    --socket="$SOCKET" >"$LOG" 2>&1 &
  local i
  for i in $(seq 1 60); do
    alive && return 0
    sleep 0.5
  done
  log "MariaDB did not come up within 30 s (see $LOG)"
  return 1
}

start() {
  if [ "$(id -u)" != 0 ]; then
    if [ -n "${ARDEA_TEST_MYSQL_URI:-}" ]; then
      echo "$ARDEA_TEST_MYSQL_URI"
      return 0
    fi
    log "not root and ARDEA_TEST_MYSQL_URI unset: MySQL tests will skip"
    return 1
  fi
  [ -n "$(server_bin)" ] || install_server || return 1
  if ! alive; then
    start_server
    echo started >"$STATE"
    log "started MariaDB on 127.0.0.1:$PORT"
  fi
  as_root_sql "
    CREATE USER IF NOT EXISTS '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$PASSWORD';
    CREATE USER IF NOT EXISTS '$USER_NAME'@'localhost' IDENTIFIED BY '$PASSWORD';
    DROP DATABASE IF EXISTS \`$DB\`;
    CREATE DATABASE \`$DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
    GRANT ALL PRIVILEGES ON \`$DB\`.* TO '$USER_NAME'@'127.0.0.1';
    GRANT ALL PRIVILEGES ON \`$DB\`.* TO '$USER_NAME'@'localhost';
    GRANT ALL PRIVILEGES ON \`${DB}_%\`.* TO '$USER_NAME'@'127.0.0.1';
    GRANT ALL PRIVILEGES ON \`${DB}_%\`.* TO '$USER_NAME'@'localhost';
    FLUSH PRIVILEGES;" >&2
  echo "mysql://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB"
}

stop() {
  if [ ! -f "$STATE" ]; then
    return 0  # we did not start it: leave it alone
  fi
  rm -f "$STATE"
  if mysqladmin --protocol=socket -S "$SOCKET" -uroot shutdown >&2; then
    log "stopped MariaDB"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
