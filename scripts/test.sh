#!/usr/bin/env bash
# The body of `make test`: system packages, services, lint, and the whole pytest suite.
#
# Expects .venv with the dev extras installed (the Makefile does that first). As root it
# installs missing Debian packages and starts PostgreSQL, MariaDB and Redis; as a normal user it uses
# whatever ARDEA_TEST_POSTGRES_URI / ARDEA_TEST_MYSQL_URI point at, or lets those tests skip. Whatever this script
# starts it stops on exit, even when tests fail. Lint is ruff and mypy. The exit code is
# pytest's (or 1 when only the lint failed). Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}

# --- Debian packages (root only) -------------------------------------------------------------
# Each entry is "package:command-that-proves-it-is-installed".
# chromium: Debian's headless browser for the Playwright tests in tests/ui.
APT_NEEDS=("postgresql:pg_ctlcluster" "mariadb-server:mariadbd" "chromium:chromium")
# redis-server: the gateway's rate-limit counters across processes (ARDEA_GATEWAY_REDIS_URL).
APT_NEEDS+=("redis-server:redis-server")
# docker-compose: only for the Compose specification's JSON schema it ships, which
# tests/fixtures/deploy_tools.py validates deploy/docker-compose.yml against (no daemon used).
APT_NEEDS+=("docker-compose:docker-compose")
# openjdk-17-jre-headless: Java for pyspark, which ardea.pyfunc.spark_udf's tests run on a
# local Spark session (tests/integration/test_spark_udf.py).
APT_NEEDS+=("openjdk-17-jre-headless:java")
# haproxy: the balancer in front of several `ardea server` replicas (tests/fixtures/replicas.py,
# tests/integration/test_replicas_sigkill.py); run as the tests' own process, never a service.
APT_NEEDS+=("haproxy:haproxy")
APT_NEEDS+=(${ARDEA_TEST_APT_EXTRA:-})

install_system_packages() {
  local missing=() entry
  for entry in "${APT_NEEDS[@]}"; do
    command -v "${entry#*:}" >/dev/null 2>&1 || missing+=("${entry%%:*}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "test.sh: missing ${missing[*]} (not root or no apt-get): dependent tests will skip" >&2
    return 0
  fi
  echo "test.sh: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# --- services ---------------------------------------------------------------------------------
cleanup() {
  scripts/postgres.sh stop || true
  scripts/mysql.sh stop || true
  scripts/redis.sh stop || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

install_system_packages || echo "test.sh: system package install failed; continuing" >&2

if uri=$(scripts/postgres.sh start); then
  export ARDEA_TEST_POSTGRES_URI="$uri"
  echo "test.sh: PostgreSQL at $uri" >&2
else
  echo "test.sh: no PostgreSQL: its tests skip (and fail under CI=true)" >&2
fi

if uri=$(scripts/mysql.sh start); then
  export ARDEA_TEST_MYSQL_URI="$uri"
  echo "test.sh: MySQL/MariaDB at $uri" >&2
else
  echo "test.sh: no MySQL/MariaDB: its tests skip (and fail under CI=true)" >&2
fi

if uri=$(scripts/redis.sh start); then
  export ARDEA_TEST_REDIS_URL="$uri"
  echo "test.sh: Redis at $uri" >&2
else
  echo "test.sh: no Redis: its tests skip (and fail under CI=true)" >&2
fi

# --- lint and tests ---------------------------------------------------------------------------
lint_rc=0
echo "== ruff check" >&2
"$VENV/bin/ruff" check . || lint_rc=1
echo "== ruff format --check" >&2
"$VENV/bin/ruff" format --check . || lint_rc=1
echo "== mypy (the files of [tool.mypy] in pyproject.toml)" >&2
"$VENV/bin/mypy" || lint_rc=1

# Every core (ARDEA_TEST_WORKERS overrides; 0 runs in one process). --dist loadfile keeps a
# module's tests, and so its module-scoped servers, on one worker; each worker gets its own
# databases (tests/fixtures/xdist_services.py).
WORKERS=${ARDEA_TEST_WORKERS:-auto}
XDIST=(-n "$WORKERS" --dist loadfile)
[ "$WORKERS" = 0 ] && XDIST=()

echo "== pytest" >&2
"$VENV/bin/python" -m pytest "${XDIST[@]}" --durations=25 "$@"
rc=$?

# The stock-client suites once more with the previous mlflow release, so that both the newest
# (the dev extra's mlflow-skinny) and the one before keep working against Ardea. Its own venv,
# created on demand (uv: seconds); only on a whole run (no pytest arguments).
MLFLOW_PREVIOUS=${MLFLOW_PREVIOUS:-3.17.2}
VENV_PREVIOUS=${VENV_PREVIOUS:-.venv-mlflow-previous}
if [ "$#" -eq 0 ]; then
  echo "== pytest: the mlflow client suites with mlflow-skinny $MLFLOW_PREVIOUS" >&2
  UV=$(command -v uv || echo "$VENV/bin/python -m uv")
  if [ ! -x "$VENV_PREVIOUS/bin/python" ]; then
    $UV venv -q --python "$VENV/bin/python" "$VENV_PREVIOUS"
  fi
  overrides=$(mktemp)
  echo "mlflow-skinny==$MLFLOW_PREVIOUS" >"$overrides"
  if $UV pip install -q --compile-bytecode -p "$VENV_PREVIOUS/bin/python" -e '.[dev]' \
      --override "$overrides"; then
    # test_mlflow_issues.py drives TracingClient's issue functions, which 3.18 brought
    # (3.17's _create_issue takes other arguments and it has no _search_issues).
    suites=()
    for f in tests/integration/test_mlflow_*.py; do
      [ "$f" = tests/integration/test_mlflow_issues.py ] || suites+=("$f")
    done
    ARDEA_TEST_MLFLOW_VERSION="$MLFLOW_PREVIOUS" "$VENV_PREVIOUS/bin/python" -m pytest \
      "${XDIST[@]}" "${suites[@]}" \
      || { [ "$rc" -ne 0 ] || rc=1; }
  else
    echo "test.sh: could not install mlflow-skinny==$MLFLOW_PREVIOUS" >&2
    [ "$rc" -ne 0 ] || rc=1
  fi
  rm -f "$overrides"
fi

# The web UI's lint (oxlint) and component tests (vitest), when there is a UI and npm.
if [ -f ui/package.json ] && command -v npm >/dev/null; then
  echo "== oxlint + vitest (ui/)" >&2
  [ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund) || rc=1
  (cd ui && npm run lint) || lint_rc=1
  (cd ui && npm test) || { [ "$rc" -ne 0 ] || rc=1; }
fi

if [ "$rc" -eq 0 ] && [ "$lint_rc" -ne 0 ]; then
  echo "test.sh: tests passed but lint failed" >&2
  rc=1
fi
exit "$rc"
