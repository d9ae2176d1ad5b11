"""What a server app needs, in one object, and small accessors that read it from a request.

``create_app(deps)`` stores the :class:`ServerDeps` on ``app.state.deps``; handlers reach the
stores through :func:`tracking_store`, :func:`artifact_store` and :func:`settings`, never through
module-level globals, so tests can build as many apps with their own stores as they like.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request

    from ardea.server.webhook_events import WebhookRuntime
    from ardea.store.artifacts.base import ArtifactStore
    from ardea.store.registry import RegistryStore
    from ardea.store.traces import TraceStore
    from ardea.store.tracking import TrackingStore

__all__ = [
    "ENV_PREFIX",
    "ServerDeps",
    "ServerSettings",
    "artifact_store",
    "get_deps",
    "registry_store",
    "settings",
    "trace_store",
    "tracking_store",
    "webhooks",
]

ENV_PREFIX = "ARDEA_SERVER_"
"""Prefix of the variables that carry :class:`ServerSettings` to ``--workers`` processes."""


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """How the server was started.

    Attributes:
        host: Interface to listen on.
        port: TCP port.
        backend_store_uri: Tracking store URI (``sqlite:///...``, ``postgresql://...``).
        default_artifact_root: Artifact root of new experiments (``mlflow-artifacts:/`` proxies
            them through this server).
        artifacts_destination: Where proxied artifacts live: a folder or an object-store URI.
        serve_artifacts: Whether the ``/mlflow-artifacts`` endpoints are enabled.
        workers: Number of server processes.
        access_log: Whether uvicorn logs every request.
        dev: Development mode (auto-reload).
        allowed_artifact_roots: More places (folders or object-store URIs) the server may read
            and write run and model artifacts in, besides ``artifacts_destination`` and
            ``default_artifact_root``: artifact locations that clients chose themselves
            outside those are refused, so a client cannot make the server read any file.
        allowed_hosts: ``Host`` header patterns the server answers (DNS-rebinding guard);
            empty: localhost, loopback and private-network IPs and ``host``; ``*``: any.
        cors_allowed_origins: Browser origins allowed to make cross-origin calls besides
            ``http://localhost:*`` and ``http://127.0.0.1:*``; ``*``: any (no credentials).
        x_frame_options: ``X-Frame-Options`` response header; ``NONE`` omits it.
    """

    host: str = "127.0.0.1"
    port: int = 5000
    backend_store_uri: str = ""
    default_artifact_root: str = "mlflow-artifacts:/"
    artifacts_destination: str = ""
    serve_artifacts: bool = True
    workers: int = 1
    access_log: bool = False
    dev: bool = False
    allowed_artifact_roots: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    cors_allowed_origins: tuple[str, ...] = ()
    x_frame_options: str = "SAMEORIGIN"

    def to_env(self) -> dict[str, str]:
        """The settings as environment variables (``ARDEA_SERVER_<FIELD>``)."""
        return {
            ENV_PREFIX + k.upper(): json.dumps(list(v)) if isinstance(v, tuple) else str(v)
            for k, v in asdict(self).items()
        }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServerSettings:
        """Settings read back from :meth:`to_env` variables; absent ones keep their defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            if f.type in ("bool", bool):
                values[f.name] = raw.lower() in ("1", "true", "yes")
            elif f.type in ("int", int):
                values[f.name] = int(raw)
            elif str(f.type).startswith("tuple"):
                values[f.name] = tuple(json.loads(raw))
            else:
                values[f.name] = raw
        return cls(**values)


@dataclass(frozen=True, slots=True)
class ServerDeps:
    """Everything a server app needs.

    Attributes:
        tracking_store: Experiments, runs, metrics and logged models.
        artifact_store: The store behind ``mlflow-artifacts:/`` URIs.
        settings: Startup settings.
        trace_store: Traces, spans and assessments; when None, ``create_app`` opens one on
            the tracking store's database (SQL tracking stores only).
        registry_store: The model registry; when None, ``create_app`` opens one on the
            tracking store's database (SQL tracking stores only).
    """

    tracking_store: TrackingStore
    artifact_store: ArtifactStore
    settings: ServerSettings
    trace_store: TraceStore | None = None
    registry_store: RegistryStore | None = None


def get_deps(request: Request) -> ServerDeps:
    """The :class:`ServerDeps` of the app serving ``request``."""
    deps: ServerDeps = request.app.state.deps
    return deps


def tracking_store(request: Request) -> TrackingStore:
    """The tracking store of the app serving ``request``."""
    return get_deps(request).tracking_store


def trace_store(request: Request) -> TraceStore:
    """The trace store of the app serving ``request``.

    Raises:
        NotImplementedFeatureError: The app has no trace store (a non-SQL tracking store).
    """
    store: TraceStore | None = request.app.state.trace_store
    if store is None:
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This server's tracking store does not store traces.")
    return store


def registry_store(request: Request) -> RegistryStore:
    """The model registry of the app serving ``request``.

    Raises:
        NotImplementedFeatureError: The app has no registry (a non-SQL tracking store).
    """
    store: RegistryStore | None = request.app.state.registry_store
    if store is None:
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This server's tracking store has no model registry.")
    return store


def webhooks(request: Request) -> WebhookRuntime:
    """The webhook store and dispatcher of the app serving ``request`` (opened on first use).

    Raises:
        NotImplementedFeatureError: The app has no SQL tracking database.
    """
    from ardea.server.webhook_events import runtime

    found = runtime(request.app)
    if found is None:
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This server's tracking store has no webhooks.")
    return found


def artifact_store(request: Request) -> ArtifactStore:
    """The proxied artifact store of the app serving ``request``."""
    return get_deps(request).artifact_store


def settings(request: Request) -> ServerSettings:
    """The settings of the app serving ``request``."""
    return get_deps(request).settings
