"""Every environment variable Ardea reads, each with its meaning and default.

Values are read when a client, store or server is built, not at import.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence

from ardea._core.errors import InvalidArgumentError

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

ARDEA_PROGRESS = "ARDEA_PROGRESS"
"""``1`` shows progress bars on stderr for artifact uploads and downloads, ``0`` never. Unset:
only on a terminal, for work of 16 MiB or more."""

ARDEA_PROMPT_CACHE_TTL_SECONDS = "ARDEA_PROMPT_CACHE_TTL_SECONDS"
"""Seconds a loaded prompt (and an alias lookup) stays in the client's cache; ``0`` turns the
cache off. Default 60."""

ARDEA_SECRET_KEY = "ARDEA_SECRET_KEY"
"""Key that encrypts stored webhook secrets on a server: a Fernet key or any passphrase.
Default: a 0600 ``ardea-secret.key`` file beside a SQLite database (PostgreSQL and MySQL
need the variable before a secret can be stored)."""

ARDEA_SECRET_KEY_PREVIOUS = "ARDEA_SECRET_KEY_PREVIOUS"
"""Earlier values of ``ARDEA_SECRET_KEY`` (comma-separated) that gateway credentials may still be
wrapped under: set during a key rotation until ``ardea gateway rotate-kek`` has re-wrapped them."""

MLFLOW_CRYPTO_KEK_PASSPHRASE = "MLFLOW_CRYPTO_KEK_PASSPHRASE"
"""MLflow's name for the key-encryption key of gateway credentials; read when
``ARDEA_SECRET_KEY`` is unset."""

ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS = "ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS"
"""``1`` lets a gateway model definition's provider base URL point at loopback or private
addresses (a local vLLM or Ollama). Default: refused by the SSRF guard."""

ARDEA_GATEWAY_REDIS_URL = "ARDEA_GATEWAY_REDIS_URL"
"""``redis://host:port/db``: the gateway keeps its rate-limit and budget counters in this Redis
server instead of the tracking database (every server process must name the same one)."""

ARDEA_GATEWAY_USAGE_RETENTION_DAYS = "ARDEA_GATEWAY_USAGE_RETENTION_DAYS"
"""Days the gateway's per-minute usage rows are kept (default 90; ``0``: forever)."""

ARDEA_GATEWAY_MAX_BODY_BYTES = "ARDEA_GATEWAY_MAX_BODY_BYTES"
"""Largest gateway request body accepted, in bytes (default 10 MiB); larger ones get a 413."""

ARDEA_GATEWAY_TRACE_WRITER = "ARDEA_GATEWAY_TRACE_WRITER"
"""Where the gateway writes request traces: ``process`` (default; a writer process of its own
when the database can be shared) or ``thread`` (in the server process)."""

ARDEA_WEBHOOKS_ALLOW_PRIVATE = "ARDEA_WEBHOOKS_ALLOW_PRIVATE"
"""``1`` lets a server's webhooks target loopback, private (RFC 1918, ULA), link-local and other
non-public addresses (e.g. a receiver on the server's own network). Default: refused, when a
webhook is created or updated and again before each delivery (SSRF guard)."""

ARDEA_WEBHOOKS_DRAIN_SECONDS = "ARDEA_WEBHOOKS_DRAIN_SECONDS"
"""Seconds a stopping server keeps delivering the webhook events still queued; what is left
after that is dropped (and counted in the log). Default 5."""

ARDEA_UI_DEV_URL = "ARDEA_UI_DEV_URL"
"""Where ``ardea server --dev`` finds the Vite dev server it proxies the UI to. Default
``http://127.0.0.1:5173``."""

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

ARDEA_CREDENTIALS_FILE = "ARDEA_CREDENTIALS_FILE"
"""LLM provider credentials file for ``ardea.llm`` (default ``~/.ardea/credentials.toml``)."""

ARDEA_EXPERIMENT_NAME = "ARDEA_EXPERIMENT_NAME"
"""Experiment used by the fluent API when none is set (``MLFLOW_EXPERIMENT_NAME`` too)."""

MLFLOW_EXPERIMENT_NAME = "MLFLOW_EXPERIMENT_NAME"
"""Honoured like ``ARDEA_EXPERIMENT_NAME`` when that is unset."""

ARDEA_EXPERIMENT_ID = "ARDEA_EXPERIMENT_ID"
"""Experiment id used by the fluent API when none is set and no experiment name variable is
(``MLFLOW_EXPERIMENT_ID`` too). Default: ``0`` (the Default experiment)."""

MLFLOW_EXPERIMENT_ID = "MLFLOW_EXPERIMENT_ID"
"""Honoured like ``ARDEA_EXPERIMENT_ID`` when that is unset."""

ARDEA_BACKEND_STORE_URI = "ARDEA_BACKEND_STORE_URI"
"""``ardea server --backend-store-uri`` (``MLFLOW_BACKEND_STORE_URI`` too): the tracking
database of a server, e.g. in a container. Default: SQLite under ``./ardea-data``."""

MLFLOW_BACKEND_STORE_URI = "MLFLOW_BACKEND_STORE_URI"
"""Honoured like ``ARDEA_BACKEND_STORE_URI`` when that is unset."""

MLFLOW_ARTIFACTS_DESTINATION = "MLFLOW_ARTIFACTS_DESTINATION"
"""Honoured like ``ARDEA_ARTIFACTS_DESTINATION`` by ``ardea server`` when that is unset."""

ARDEA_ALLOWED_HOSTS = "ARDEA_ALLOWED_HOSTS"
"""``ardea server --allowed-hosts`` (``MLFLOW_SERVER_ALLOWED_HOSTS`` too): comma-separated
Host-header patterns. Default: localhost, loopback and private-network IPs, the bound host."""

MLFLOW_SERVER_ALLOWED_HOSTS = "MLFLOW_SERVER_ALLOWED_HOSTS"
"""Honoured like ``ARDEA_ALLOWED_HOSTS`` when that is unset."""

ARDEA_CORS_ALLOWED_ORIGINS = "ARDEA_CORS_ALLOWED_ORIGINS"
"""``ardea server --cors-allowed-origins`` (``MLFLOW_SERVER_CORS_ALLOWED_ORIGINS`` too)."""

MLFLOW_SERVER_CORS_ALLOWED_ORIGINS = "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS"
"""Honoured like ``ARDEA_CORS_ALLOWED_ORIGINS`` when that is unset."""

ARDEA_X_FRAME_OPTIONS = "ARDEA_X_FRAME_OPTIONS"
"""``ardea server --x-frame-options`` (``MLFLOW_SERVER_X_FRAME_OPTIONS`` too). Default
``SAMEORIGIN``; ``NONE`` omits the header."""

MLFLOW_SERVER_X_FRAME_OPTIONS = "MLFLOW_SERVER_X_FRAME_OPTIONS"
"""Honoured like ``ARDEA_X_FRAME_OPTIONS`` when that is unset."""

ARDEA_ENABLE_WORKSPACES = "ARDEA_ENABLE_WORKSPACES"
"""``ardea server --enable-workspaces`` (``MLFLOW_ENABLE_WORKSPACES`` too): ``true`` turns on
workspaces (the ``X-MLFLOW-WORKSPACE`` header and ``/api/3.0/mlflow/workspaces``)."""

MLFLOW_ENABLE_WORKSPACES = "MLFLOW_ENABLE_WORKSPACES"
"""Honoured like ``ARDEA_ENABLE_WORKSPACES`` when that is unset."""

ARDEA_OTLP_GRPC_PORT = "ARDEA_OTLP_GRPC_PORT"
"""``ardea server --otlp-grpc-port``: the TCP port of the OTLP/gRPC trace receiver (OTLP's
usual port is 4317). Unset or ``0``: no gRPC receiver (OTLP/HTTP on ``/v1/traces`` only)."""

ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES = "ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES"
"""Largest OTLP/gRPC ``Export`` message accepted, in bytes (larger: ``RESOURCE_EXHAUSTED``).
Default 67108864 (64 MiB), the limit of an OTLP/HTTP body."""

ARDEA_TEST_POSTGRES_URI = "ARDEA_TEST_POSTGRES_URI"
"""Tests only: a PostgreSQL database the store tests may wipe. Unset: those tests skip,
except under ``CI=true`` where they fail."""

ARDEA_TEST_MYSQL_URI = "ARDEA_TEST_MYSQL_URI"
"""Tests only: a MySQL/MariaDB database the store tests may wipe. Unset: those tests skip,
except under ``CI=true`` where they fail."""

ARDEA_BUILD_WITHOUT_UI = "ARDEA_BUILD_WITHOUT_UI"
"""Packaging only (read by ``hatch_build.py``, not by Ardea): ``1`` builds a wheel or sdist
without the web UI on purpose. Unset: a build without ``scripts/build-ui.sh``'s output fails."""

ARDEA_TRACE_SAMPLING_RATIO = "ARDEA_TRACE_SAMPLING_RATIO"
"""Fraction of traces the tracing SDK records, 0.0 to 1.0 (by trace id, so a trace is kept or
dropped whole). Default 1.0. Applies to Ardea's own tracer provider; when Ardea joins an
application's OTel provider, that provider's sampler decides."""

ARDEA_SQLITE_SYNCHRONOUS = "ARDEA_SQLITE_SYNCHRONOUS"
"""SQLite's ``synchronous`` setting for a SQLite store (``ardea server --sqlite-synchronous``
too): ``normal`` (WAL's usual choice; a power loss or OS crash may drop the last commits,
never corrupts) or ``full`` (every commit is on disk before it is acknowledged; slower
writes). Default ``normal``."""

ARDEA_PG_SYNCHRONOUS_COMMIT = "ARDEA_PG_SYNCHRONOUS_COMMIT"
"""PostgreSQL's ``synchronous_commit`` for Ardea's sessions on a PostgreSQL store: unset (the
default) keeps the server's setting (``on``: a commit is acknowledged once its WAL is flushed
to disk). ``off`` acknowledges before the flush, as SQLite's ``synchronous=NORMAL`` does: a
PostgreSQL server crash or an OS crash / power loss may lose the commits of the last
~3 x ``wal_writer_delay`` (600 ms by default), never corrupts; an Ardea process killed loses
nothing it acknowledged. Also ``local``, ``remote_write``, ``remote_apply``."""

ARDEA_SEARCH_TIMEOUT_SECONDS = "ARDEA_SEARCH_TIMEOUT_SECONDS"
"""Seconds a search (runs, experiments, logged models, traces, registered models and
versions) may run in the database before it is stopped and answered with a 400
``INVALID_PARAMETER_VALUE`` ("narrow the filter"); ``0`` means no limit. Default 30."""

ARDEA_DB_POOL_SIZE = "ARDEA_DB_POOL_SIZE"
"""Connections a SQL store keeps open per process (PostgreSQL and MySQL: up to twice as many
more under bursts; SQLite: pooled readers). Default 8."""

ARDEA_ADMIN_USERNAME = "ARDEA_ADMIN_USERNAME"
"""Name of the first admin, created when a database has no enabled admin
(:func:`ardea.auth.bootstrap.ensure_admin`). Default ``admin``."""

ARDEA_ADMIN_PASSWORD = "ARDEA_ADMIN_PASSWORD"
"""Password of the first admin (checked against the password policy). There is never a
default password."""

MLFLOW_AUTH_ADMIN_PASSWORD = "MLFLOW_AUTH_ADMIN_PASSWORD"
"""Honoured like ``ARDEA_ADMIN_PASSWORD`` when that is unset (MLflow's variable)."""

ARDEA_AUTH_MIN_PASSWORD_LENGTH = "ARDEA_AUTH_MIN_PASSWORD_LENGTH"
"""Shortest password accepted for a user (1 to 1024). Default 12."""

ARDEA_AUTH = "ARDEA_AUTH"
"""``1`` runs ``ardea server`` with authentication, as ``--auth`` does."""

ARDEA_AUTH_PASSWORD_LOGIN = "ARDEA_AUTH_PASSWORD_LOGIN"
"""``0`` turns the UI's password login off (``--no-password-login``; needs OIDC)."""

ARDEA_AUTH_DEFAULT_PERMISSION = "ARDEA_AUTH_DEFAULT_PERMISSION"
"""``--auth-default-permission``: a workspace member's level where nothing is granted (READ)."""

ARDEA_OIDC_ISSUER = "ARDEA_OIDC_ISSUER"
"""``ardea server --oidc-issuer``: the OpenID Connect issuer URL for single sign-on."""

ARDEA_OIDC_CLIENT_ID = "ARDEA_OIDC_CLIENT_ID"
"""``ardea server --oidc-client-id``: the client id registered at the issuer."""

ARDEA_OIDC_CLIENT_SECRET = "ARDEA_OIDC_CLIENT_SECRET"
"""The OIDC client secret (never a command-line option; ``--oidc-client-secret-file`` reads
it from a file instead). Unset with no file: a public client (PKCE only)."""

ARDEA_OIDC_CLIENT_SECRET_FILE = "ARDEA_OIDC_CLIENT_SECRET_FILE"
"""``ardea server --oidc-client-secret-file``: a file holding the OIDC client secret."""

ARDEA_OIDC_SCOPES = "ARDEA_OIDC_SCOPES"
"""``ardea server --oidc-scopes``: scopes asked for, space- or comma-separated. Default
``openid profile email``."""

ARDEA_OIDC_GROUPS_CLAIM = "ARDEA_OIDC_GROUPS_CLAIM"
"""``ardea server --oidc-groups-claim``: the ID token claim listing groups. Default
``groups``."""

ARDEA_OIDC_USERNAME_CLAIM = "ARDEA_OIDC_USERNAME_CLAIM"
"""``ardea server --oidc-username-claim``: claims tried in order for the username,
comma-separated. Default ``preferred_username,email``."""

ARDEA_OIDC_GROUP_ROLES = "ARDEA_OIDC_GROUP_ROLES"
"""``ardea server --oidc-group-role``: comma-separated ``GROUP=ROLE`` (or
``GROUP=WORKSPACE/ROLE``) mappings."""

ARDEA_OIDC_ADMIN_GROUP = "ARDEA_OIDC_ADMIN_GROUP"
"""``ardea server --oidc-admin-group``: members of this group are admins."""

ARDEA_OIDC_REDIRECT_BASE_URL = "ARDEA_OIDC_REDIRECT_BASE_URL"
"""``ardea server --oidc-redirect-base-url``: the server's external base URL (the redirect
URI registered at the issuer is this plus ``/api/3.0/ardea/auth/oidc/callback``)."""

ARDEA_OIDC_STATE_KEY = "ARDEA_OIDC_STATE_KEY"
"""Key sealing the OIDC login-state cookie, shared by replicas of a public client (a client
with a secret derives it from the secret). ``ardea server --workers N`` sets one itself."""

ARDEA_METRICS_PUBLIC = "ARDEA_METRICS_PUBLIC"
"""``1``: the server's ``GET /metrics`` answers without credentials on a server with ``--auth``
(default: only an admin's credentials, e.g. an admin's API token, may read it)."""

ARDEA_LOG_FORMAT = "ARDEA_LOG_FORMAT"
"""``ardea server --log-format``: ``text`` (default) or ``json`` (one JSON object a line)."""

PROMETHEUS_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus-client's multiprocess folder: ``ardea server --workers N`` (N > 1) sets a fresh
one when unset, so that one scrape of ``/metrics`` sees every worker."""

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


def env_choice(
    name: str, choices: Sequence[str], value: str | None = None, *, what: str, also: str = ""
) -> str:
    """``value``, else the variable ``name``, lower-cased: one of ``choices``, or ``""`` if unset.

    Args:
        name: The environment variable.
        choices: The accepted values (lower case).
        value: A value given directly (a command-line option); it wins over the variable.
        what: What the setting is, for the error (``"SQLite synchronous mode"``).
        also: Where else it can be set, for the error (``" or --sqlite-synchronous"``).

    Raises:
        InvalidArgumentError: A value that is not one of ``choices`` (any case).

    Example:
        >>> env_choice("ARDEA_LOG_FORMAT", ("text", "json"), "JSON", what="log format")
        'json'
    """
    raw = value if value else os.environ.get(name, "")
    chosen = raw.strip().lower()
    if chosen and chosen not in choices:
        raise InvalidArgumentError(
            f"Invalid {what} {raw!r} ({name}{also}): use one of {', '.join(choices)}"
        )
    return chosen


def env_number(name: str, default: float, *, minimum: float = 0.0, off: bool = False) -> float:
    """The variable ``name`` as a finite number >= 0 (seconds, a count...), raised to ``minimum``.

    Unset or blank gives ``default``. A value that is not a finite number >= 0 is logged
    (one warning naming the variable, the value and the default) and gives ``default``.

    Args:
        name: The environment variable.
        default: The value when unset, blank or bad.
        minimum: Smaller values (but 0 when ``off``) are raised to this.
        off: ``0`` is kept as 0 (the caller's "turned off") instead of raised to ``minimum``.

    Example:
        >>> env_number("ARDEA_ALERTS_INTERVAL_SECONDS", 60.0, minimum=0.2)  # when unset
        60.0
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0.0 <= value < math.inf:
        logging.getLogger(__name__).warning(
            "Ignoring %s=%r: not a number >= 0; using %s", name, raw, default
        )
        return default
    if off and value == 0:
        return 0.0
    return max(minimum, value)


ARDEA_ONLINE_SCORING = "ARDEA_ONLINE_SCORING"
"""``0`` turns off the server's online scoring loop (work rows are still stored for the
sampled traces, for other replicas and ``ardea scorer-worker``). Default: on."""

ARDEA_ONLINE_SCORING_POLL_SECONDS = "ARDEA_ONLINE_SCORING_POLL_SECONDS"
"""Seconds the online scoring loop sleeps when it finds no work (an enqueue in the same
process wakes it at once). Default 0.5."""

ARDEA_ONLINE_SCORING_CONCURRENCY = "ARDEA_ONLINE_SCORING_CONCURRENCY"
"""Judge calls one server process's online scoring loop runs at once. Default 16."""

ARDEA_ONLINE_SCORING_MAX_BACKLOG = "ARDEA_ONLINE_SCORING_MAX_BACKLOG"
"""Unfinished online scoring rows above which new traces are sampled at a lower rate
(``rate * max / backlog``). Default 10000."""

ARDEA_ONLINE_SCORING_PROVIDER_RPS = "ARDEA_ONLINE_SCORING_PROVIDER_RPS"
"""Judge calls a second per provider that one server's online scoring loop starts; ``0``
means no limit. Default 50."""

ARDEA_ONLINE_SCORING_LEASE_SECONDS = "ARDEA_ONLINE_SCORING_LEASE_SECONDS"
"""Seconds a server's claim on an online scoring row lasts; a server that dies holding rows
lets another take them after this. Default 120."""

ARDEA_ONLINE_SCORING_LOOP = "ARDEA_ONLINE_SCORING_LOOP"
"""Where a server runs its online scorer loop: ``process`` (default; a scorer process of its
own, at a lower CPU priority, when the database can be shared) or ``server`` (in the server
process)."""

ARDEA_ALERTS = "ARDEA_ALERTS"
"""``0`` turns the server's alert evaluator off (rules can still be managed; their state stays
as it is). Default: on."""

ARDEA_ALERTS_INTERVAL_SECONDS = "ARDEA_ALERTS_INTERVAL_SECONDS"
"""Seconds between two passes of the server's alert evaluator over every enabled rule.
Default 60."""

ARDEA_RETENTION_INTERVAL_SECONDS = "ARDEA_RETENTION_INTERVAL_SECONDS"
"""Seconds between two passes of the server's trace retention sweep over every workspace's
policies; ``0`` turns the sweep off. Default 3600."""

ARDEA_ONLINE_SCORING_SESSION_QUIET_SECONDS = "ARDEA_ONLINE_SCORING_SESSION_QUIET_SECONDS"
"""Seconds without a new trace after which a session is scored by the session-level online
scorers (each new trace of the session pushes it back). Default 60."""

ARDEA_ALLOW_PICKLE = "ARDEA_ALLOW_PICKLE"
"""``1`` lets ``ardea.<flavor>.load_model`` unpickle model files this process did not write
(logged by another process or by ``mlflow``), with a warning; unset, such files are refused.
Unpickling runs code chosen by the file's author: set it only for sources you trust."""

ARDEA_SERVE_MODEL_URI = "ARDEA_SERVE_MODEL_URI"
"""The model ``ardea models serve`` workers load (set by the command for its workers; set it
yourself to run ``ardea.models.serving:app_from_env`` under another ASGI server)."""

ARDEA_SERVE_MAX_BODY_BYTES = "ARDEA_SERVE_MAX_BODY_BYTES"
"""The largest ``/invocations`` body the scoring server accepts, in bytes (larger: 413).
Default 64 MiB; ``ardea models serve --max-body-bytes`` sets it."""

ARDEA_SERVE_BATCH_WINDOW_MS = "ARDEA_SERVE_BATCH_WINDOW_MS"
"""How long (ms) the first request of a batch waits for others before the scoring server
calls the model. ``0`` (the default) never waits: a batch is what arrived while the previous
call ran. Above 0 it turns batching on; ``ardea models serve --batch-window-ms`` sets it."""

ARDEA_SERVE_BATCHING = "ARDEA_SERVE_BATCHING"
"""``ardea models serve --batching``: ``auto`` (the default: on for the row-wise flavours
sklearn, xgboost and lightgbm), ``on`` or ``off``. On, DataFrame requests that arrive while
the model is busy are scored together with one call."""

ARDEA_SERVE_TRACE_EXPERIMENT = "ARDEA_SERVE_TRACE_EXPERIMENT"
"""The experiment (by name, created if missing) that records a trace of every scoring server
request, on the tracking server of ``ARDEA_TRACKING_URI``; unset, requests are not traced.
``ardea models serve --trace-experiment`` sets it."""

ARDEA_AGENT_SPEC = "ARDEA_AGENT_SPEC"
"""The agent ``ardea agents serve`` workers load, as ``module:attr`` or ``file.py:attr`` (set
by the command; set it yourself to run ``ardea.models.agents:app_from_env`` under another ASGI
server)."""

ARDEA_AGENT_NAME = "ARDEA_AGENT_NAME"
"""The agent server's model id and root span name (``ardea agents serve --name``). Default:
the attribute name of ``ARDEA_AGENT_SPEC``."""

ARDEA_AGENT_TRACE_EXPERIMENT = "ARDEA_AGENT_TRACE_EXPERIMENT"
"""The experiment (by name, created if missing) that records a trace of every agent server
request, on the tracking server of ``ARDEA_TRACKING_URI``; unset, requests are not traced.
``ardea agents serve --trace-experiment`` sets it."""

ARDEA_AGENT_MAX_HISTORIES = "ARDEA_AGENT_MAX_HISTORIES"
"""How many responses' conversations the agent server keeps in memory (per worker) for
``previous_response_id``; the least recently used go first. Default 1000; ``0`` keeps none."""
