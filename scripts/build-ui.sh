#!/usr/bin/env bash
# Build the web UI into src/ardea/server/static/ui/ when it is missing or stale.
#
# No-op when there is no ui/ folder. "Stale" means: the built index.html is older than any
# file under ui/src, ui/public, ui/index.html, ui/package*.json or the Vite/TS configs.
# `npm ci` runs only when node_modules is missing or older than ui/package-lock.json.
#
# Node.js is needed only to (re)build: an up-to-date build needs nothing, and without npm a
# stale build is kept as it is (with a warning), so `make run` works on a machine without Node
# once a built UI is in place (built here earlier, or copied in). No build and no npm: one
# message saying what to do, and exit status 1.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -f ui/package.json ] || exit 0

OUT=src/ardea/server/static/ui/index.html
sources=(ui/src ui/public ui/index.html ui/package.json ui/package-lock.json ui/vite.config.ts
  ui/tsconfig.json ui/tsconfig.app.json ui/tsconfig.node.json)
existing=()
for s in "${sources[@]}"; do [ -e "$s" ] && existing+=("$s"); done

if [ -f "$OUT" ] && [ -z "$(find "${existing[@]}" -newer "$OUT" -print -quit 2>/dev/null)" ]; then
  exit 0  # up to date
fi

if ! command -v npm >/dev/null; then
  if [ -f "$OUT" ]; then
    echo "build-ui.sh: npm not found: keeping the existing web UI build, older than ui/ (install Node.js 20+ to rebuild it)" >&2
    exit 0
  fi
  echo "build-ui.sh: the web UI is not built and npm was not found. Install Node.js 20+ and run this again, or put a built UI in src/ardea/server/static/ui/ (the ardea wheel ships one). The API alone runs without it: .venv/bin/ardea server" >&2
  exit 1
fi

cd ui
if [ ! -d node_modules ] || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules ]; }; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  touch node_modules
fi
npm run build
