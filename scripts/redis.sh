#!/usr/bin/env bash
# Start or stop a private Redis server for the test suite (the gateway's rate-limit counters).
#
#   scripts/redis.sh start   # prints the Redis URL on stdout (nothing else)
#   scripts/redis.sh stop    # stops the server only if `start` started it
#
# Needs Debian's `redis-server` (make test installs it when root). If ARDEA_TEST_REDIS_URL is
# already set, `start` just echoes it back. Without redis-server, `start` exits 1 and the Redis
# tests skip (or fail under CI=true). The server listens on 127.0.0.1:${ARDEA_REDIS_PORT:-6390},
# keeps nothing on disk, and runs as the current user.
set -euo pipefail

PORT="${ARDEA_REDIS_PORT:-6390}"
STATE="${TMPDIR:-/tmp}/ardea-redis-started-$(id -u)"

log() { echo "redis.sh: $*" >&2; }

start() {
  if [ -n "${ARDEA_TEST_REDIS_URL:-}" ]; then
    echo "$ARDEA_TEST_REDIS_URL"
    return 0
  fi
  if ! command -v redis-server >/dev/null; then
    log "redis-server is not installed (apt-get install redis-server): Redis tests will skip"
    return 1
  fi
  if ! redis-cli -p "$PORT" ping >/dev/null 2>&1; then
    redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --daemonize yes --pidfile "$STATE.pid" --logfile "${TMPDIR:-/tmp}/ardea-redis-$PORT.log" >&2
    echo "$PORT" >"$STATE"
    for _ in $(seq 50); do
      redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
    log "started redis-server on port $PORT"
  fi
  echo "redis://127.0.0.1:$PORT/0"
}

stop() {
  if [ ! -f "$STATE" ]; then
    return 0  # we did not start it: leave it alone
  fi
  local port
  port=$(cat "$STATE")
  rm -f "$STATE"
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 && log "stopped redis-server on port $port"
  return 0
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
