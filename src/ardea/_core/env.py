"""Every environment variable Ardea reads, each with its meaning and default.

Values are read when a client, store or server is built, not at import.
"""

from __future__ import annotations

import os

ARDEA_TRACKING_URI = "ARDEA_TRACKING_URI"
"""Where the SDK logs: ``http(s)://host:port``, ``sqlite:///path.db``, a folder, or
``postgresql://...``. Default: the folder ``./ardea-data`` (embedded, no server)."""

MLFLOW_TRACKING_URI = "MLFLOW_TRACKING_URI"
"""Honoured like ``ARDEA_TRACKING_URI`` when that is unset, so existing setups keep working."""

ARDEA_ARTIFACTS_DESTINATION = "ARDEA_ARTIFACTS_DESTINATION"
"""Where proxied (``mlflow-artifacts:``) artifacts live for an embedded store or a server:
a folder or ``s3://bucket/prefix``. Default: ``artifacts/`` beside the SQLite database."""

ARDEA_S3_ENDPOINT_URL = "ARDEA_S3_ENDPOINT_URL"
"""Endpoint of an S3-compatible object store (falls back to ``AWS_ENDPOINT_URL``)."""

ARDEA_STRICT = "ARDEA_STRICT"
"""``1`` makes telemetry failures (background logging, export, autolog patches) raise instead
of being logged and swallowed. Tests set it."""

ARDEA_HTTP_TIMEOUT = "ARDEA_HTTP_TIMEOUT"
"""Seconds before an SDK request to a server times out. Default 120."""

ARDEA_HTTP_MAX_RETRIES = "ARDEA_HTTP_MAX_RETRIES"
"""Retries of an SDK request on connection errors, 429 and 5xx. Default 5."""

ARDEA_TRACKING_USERNAME = "ARDEA_TRACKING_USERNAME"
"""Basic-auth user name for a server (``MLFLOW_TRACKING_USERNAME`` is honoured too)."""

ARDEA_TRACKING_PASSWORD = "ARDEA_TRACKING_PASSWORD"
"""Basic-auth password for a server (``MLFLOW_TRACKING_PASSWORD`` is honoured too)."""

ARDEA_TRACKING_TOKEN = "ARDEA_TRACKING_TOKEN"
"""Bearer token for a server (``MLFLOW_TRACKING_TOKEN`` is honoured too)."""

ARDEA_EXPERIMENT_NAME = "ARDEA_EXPERIMENT_NAME"
"""Experiment used by the fluent API when none is set (``MLFLOW_EXPERIMENT_NAME`` too)."""

ARDEA_TEST_POSTGRES_URI = "ARDEA_TEST_POSTGRES_URI"
"""Tests only: a PostgreSQL database the store tests may wipe. Unset: those tests skip,
except under ``CI=true`` where they fail."""

DEFAULT_DATA_DIR = "ardea-data"
"""Folder of the embedded default store, relative to the working directory."""


def get(name: str, *fallbacks: str, default: str | None = None) -> str | None:
    """The first non-empty value among ``name`` and ``fallbacks``, else ``default``."""
    for var in (name, *fallbacks):
        value = os.environ.get(var)
        if value:
            return value
    return default


def strict() -> bool:
    """Whether ``ARDEA_STRICT`` asks for telemetry failures to raise."""
    return os.environ.get(ARDEA_STRICT, "").lower() in ("1", "true", "yes")
