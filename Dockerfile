# syntax=docker/dockerfile:1
# The official Ardea server image: docs/deployment.md.
#
#   docker build -t ardea:latest .
#   docker run -p 5000:5000 -v ardea-data:/var/lib/ardea ardea:latest
#
# Three stages: the web UI built with Node.js, the wheel built with it inside, and a slim
# Python runtime that installs only the wheel (with the PostgreSQL and MySQL drivers) and runs
# as a non-root user. Configuration comes from the environment (docs/configuration.md):
# ARDEA_BACKEND_STORE_URI, ARDEA_ARTIFACTS_DESTINATION, AWS_* / ARDEA_S3_ENDPOINT_URL, ...
# Without them the server keeps everything under /var/lib/ardea/ardea-data (a volume).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# --- 1. the web UI --------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS ui
WORKDIR /src/ui
# The lockfile covers the workspace tools/openapi too: npm ci needs its package.json.
COPY ui/package.json ui/package-lock.json ./
COPY ui/tools/openapi/package.json tools/openapi/
RUN npm ci --no-audit --no-fund
COPY ui/ ./
# vite writes into the Python package: /src/src/ardea/server/static/ui
RUN npm run build

# --- 2. the wheel ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS wheel
WORKDIR /src
COPY pyproject.toml hatch_build.py README.md ./
COPY src/ src/
COPY --from=ui /src/src/ardea/server/static/ui/ src/ardea/server/static/ui/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

# --- 3. the runtime -------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 ardea \
    && useradd --system --uid 10001 --gid ardea --home-dir /var/lib/ardea --create-home ardea
COPY --from=wheel /dist/ /tmp/dist/
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# DL3013 (pin versions): this is the wheel built above, so its version is this checkout's.
# hadolint ignore=DL3013
RUN wheel="$(echo /tmp/dist/ardea-*.whl)" \
    && pip install --no-cache-dir "${wheel}[postgres,mysql]" \
    && rm -rf /tmp/dist
USER 10001:10001
WORKDIR /var/lib/ardea
VOLUME ["/var/lib/ardea"]
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/health', timeout=4)"]
CMD ["ardea", "server", "--host", "0.0.0.0", "--port", "5000"]
