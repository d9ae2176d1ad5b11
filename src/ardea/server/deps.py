"""What a server app needs, in one object, and the accessors handlers reach it through.

``create_app(deps)`` keeps the :class:`ServerDeps` (one :class:`~ardea.store.backend.Backend`
and the settings) and what it derives from them (the webhook dispatchers, a cache of artifact
stores) in one :class:`ServerRuntime` on ``app.state.ardea``. Handlers reach stores only
through the accessors here (:func:`tracking_store`, :func:`trace_store`, ...), never through
``app.state`` or module globals: tests build as many apps as they like, and the accessors are
the one place a request's workspace (see :mod:`ardea.server.door`) scopes what a store sees:
they hand out the stores of ``backend.scoped(workspace)`` (cached per workspace, an unknown
workspace is a 404). An accessor called for a request that did not pass the door raises.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from ardea._core.errors import InternalError
from ardea.server.door import current_request

if TYPE_CHECKING:
    from starlette.requests import Request

    from ardea.gateway.config import GatewaySource
    from ardea.server.auth_runtime import AuthRuntime
    from ardea.server.route_table import RouteTable
    from ardea.server.webhook_events import WebhookRuntime
    from ardea.store.artifacts.base import ArtifactStore
    from ardea.store.backend import Backend
    from ardea.store.datasets import DatasetStore
    from ardea.store.registry import RegistryStore
    from ardea.store.traces import TraceStore
    from ardea.store.tracking import TrackingStore

__all__ = [
    "ENV_PREFIX",
    "ServerDeps",
    "ServerRuntime",
    "ServerSettings",
    "artifact_store",
    "artifact_store_at",
    "backend",
    "root_backend",
    "runtime",
    "registry_store",
    "dataset_store",
    "settings",
    "trace_store",
    "tracking_store",
    "webhooks",
    "workspace",
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
        auth_enabled: Authentication on (``--auth``): the auth store is opened, a first admin
            ensured and the login routes answer (see :mod:`ardea.server.auth_runtime`).
        auth_password_login: Whether the UI's password login is allowed (off only with OIDC).
        auth_default_permission: What a user without a grant may do on a resource of a
            workspace it belongs to (MLflow's ``default_permission``; READ unless set), when
            the workspace sets none itself.
        oidc_issuer: OpenID Connect issuer URL for single sign-on; empty: no SSO.
        oidc_client_id: The client id registered at the issuer.
        oidc_client_secret_file: A file holding the client secret (else
            ``ARDEA_OIDC_CLIENT_SECRET``; the secret itself is never a setting).
        oidc_scopes: Scopes asked for (``openid`` always).
        oidc_groups_claim: The claim listing the user's groups.
        oidc_username_claims: Claims tried in order for the username.
        oidc_group_roles: ``GROUP=ROLE`` (or ``GROUP=WORKSPACE/ROLE``) role mappings.
        oidc_admin_group: Members of this group are admins; empty: SSO leaves admins alone.
        oidc_redirect_base_url: The server's external base URL for redirects; empty: the
            request's own.
        allowed_artifact_roots: More places (folders or object-store URIs) the server may read
            and write run and model artifacts in, besides ``artifacts_destination`` and
            ``default_artifact_root``: artifact locations that clients chose themselves
            outside those are refused, so a client cannot make the server read any file.
        allowed_hosts: ``Host`` header patterns the server answers (DNS-rebinding guard);
            empty: localhost, loopback and private-network IPs and ``host``; ``*``: any.
        cors_allowed_origins: Browser origins allowed to make cross-origin calls besides
            ``http://localhost:*`` and ``http://127.0.0.1:*``; ``*``: any (no credentials).
        x_frame_options: ``X-Frame-Options`` response header; ``NONE`` omits it.
        sqlite_synchronous: SQLite's ``synchronous`` mode for a SQLite backend, ``normal``
            or ``full``; empty: ``ARDEA_SQLITE_SYNCHRONOUS``, else ``normal``.
        enable_workspaces: Serve workspaces (the ``X-MLFLOW-WORKSPACE`` header, the
            ``/api/3.0/mlflow/workspaces`` routes); off, the header is refused
            (``FEATURE_DISABLED``) and everything is in workspace ``default``.
        gateway_enabled: Serve the AI gateway's ``/gateway/...`` routes and ``/metrics``
            (``--no-gateway`` / ``ARDEA_GATEWAY_ENABLED=0`` turn them off: 501).
        otlp_grpc_port: The OTLP/gRPC receiver's port (``--otlp-grpc-port``); 0: none.
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
    auth_enabled: bool = False
    auth_password_login: bool = True
    auth_default_permission: str = "READ"
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret_file: str = ""
    oidc_scopes: tuple[str, ...] = ("openid", "profile", "email")
    oidc_groups_claim: str = "groups"
    oidc_username_claims: tuple[str, ...] = ("preferred_username", "email")
    oidc_group_roles: tuple[str, ...] = ()
    oidc_admin_group: str = ""
    oidc_redirect_base_url: str = ""
    allowed_artifact_roots: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    cors_allowed_origins: tuple[str, ...] = ()
    x_frame_options: str = "SAMEORIGIN"
    sqlite_synchronous: str = ""
    enable_workspaces: bool = False
    gateway_enabled: bool = True
    otlp_grpc_port: int = 0

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
    """Everything a server app is given.

    Attributes:
        backend: Every store (tracking, traces, registry, webhooks, artifacts) of one
            database; its ``artifacts`` serve ``mlflow-artifacts:/`` URIs.
        settings: Startup settings.
        gateway_source: Where the AI gateway reads its endpoints and credentials (the
            database-backed source, or a config file's); None: an empty in-memory source
            (every endpoint unknown) until one is configured.
    """

    backend: Backend
    settings: ServerSettings
    gateway_source: GatewaySource | None = None


@dataclass(eq=False)
class ServerRuntime:
    """What one app holds: its :class:`ServerDeps` and what ``create_app`` derived from them.

    Attributes:
        deps: The stores and settings the app was given.
        auth: Sessions, login limits and credential caches when auth is on, else None.
        webhooks: The webhook store and its background dispatcher (delivery threads start
            on the first event) of workspace ``default``.
        routes: The methods each endpoint answers (for 405 answers), once every router is
            mounted.
        artifact_stores: Artifact stores of client-chosen artifact locations, by URI (at
            most 256, oldest dropped first).
        workspace_webhooks: The webhook runtimes of the other workspaces, opened on their
            first request (a workspace's webhooks hear only its registry's events).
        workspace_artifacts: The proxied artifact store as each workspace sees it (see
            :class:`~ardea.store.artifacts.workspace.WorkspaceArtifactStore`).
        gateway: The gateway's request path (:class:`ardea.gateway.proxy.Gateway`), or None
            when the gateway is off.
        online: Online scoring's ingest hook and scorer loop
            (:class:`ardea.server.online_scoring.OnlineScoring`), or None on a REST backend.
        alerts: The alert evaluator (:class:`ardea.server.alerts.AlertEvaluator`), or None
            on a REST backend.
        metrics: The app's Prometheus metrics
            (:class:`ardea.server.server_metrics.ServerMetrics`).
        retention: The trace retention sweep
            (:class:`ardea.server.retention.RetentionSweeper`), or None on a REST backend.
    """

    deps: ServerDeps
    webhooks: WebhookRuntime
    routes: RouteTable | None = None
    auth: AuthRuntime | None = None
    artifact_stores: dict[str, ArtifactStore] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    workspace_webhooks: dict[str, WebhookRuntime] = field(default_factory=dict)
    workspace_artifacts: dict[str, ArtifactStore] = field(default_factory=dict)
    gateway: Any = None
    online: Any = None
    alerts: Any = None
    metrics: Any = None
    retention: Any = None

    def backend_for(self, workspace: str | None) -> Backend:
        """The stores of ``workspace`` (None: the server runs without workspaces).

        Raises:
            NotFoundError: No such workspace.
        """
        root = self.deps.backend
        if workspace is None or workspace == root.workspace:
            return root
        return root.scoped(workspace)

    def webhooks_for(self, workspace: str | None) -> WebhookRuntime:
        """The webhook runtime of ``workspace`` (None or ``default``: :attr:`webhooks`)."""
        if workspace is None or workspace == self.deps.backend.workspace:
            return self.webhooks
        found = self.workspace_webhooks.get(workspace)
        if found is not None:
            return found
        from ardea.server.webhook_events import open_runtime

        scoped = self.backend_for(workspace)  # raises for an unknown workspace
        with self.lock:
            if workspace not in self.workspace_webhooks:
                self.workspace_webhooks[workspace] = open_runtime(scoped)
            return self.workspace_webhooks[workspace]

    def all_webhooks(self) -> list[WebhookRuntime]:
        """Every webhook runtime opened so far (to close their dispatchers at shutdown)."""
        with self.lock:
            return [self.webhooks, *self.workspace_webhooks.values()]

    def forget_workspace(self, workspace: str) -> None:
        """Close and drop what was opened for a deleted (or changed) workspace."""
        with self.lock:
            gone = self.workspace_webhooks.pop(workspace, None)
            self.workspace_artifacts.pop(workspace, None)
        if self.auth is not None:
            self.auth.policy.forget()  # its grants and roles went with it
            if self.auth.workspace_defaults is not None:
                self.auth.workspace_defaults.forget(workspace)
        if gone is not None:
            gone.dispatcher.close(timeout=0)


def runtime(request: Request) -> ServerRuntime:
    """The :class:`ServerRuntime` of the app serving ``request``.

    Raises:
        InternalError: The request did not pass the door (:class:`~ardea.server.door.RequestDoor`).
    """
    if current_request() is None:
        raise InternalError(f"{request.url.path} was served without passing the request door")
    found: ServerRuntime = request.app.state.ardea
    return found


def workspace(request: Request) -> str | None:
    """The workspace ``request`` acts in (None: the server runs without workspaces)."""
    context = current_request()
    if context is None:
        raise InternalError(f"{request.url.path} was served without passing the request door")
    return context.workspace


def backend(request: Request) -> Backend:
    """The stores of the request's workspace: the one place a request's stores are scoped.

    Raises:
        NotFoundError: The request names a workspace that does not exist (404).
    """
    return runtime(request).backend_for(workspace(request))


def root_backend(request: Request) -> Backend:
    """The backend the app was given, whatever the request's workspace.

    Only for what is above workspaces: the workspace routes themselves.
    """
    return runtime(request).deps.backend


def tracking_store(request: Request) -> TrackingStore:
    """The tracking store of the app serving ``request``."""
    return backend(request).tracking


def trace_store(request: Request) -> TraceStore:
    """The trace store of the app serving ``request``."""
    return backend(request).traces


def registry_store(request: Request) -> RegistryStore:
    """The model registry of the app serving ``request``."""
    return backend(request).registry


def dataset_store(request: Request) -> DatasetStore:
    """The evaluation dataset store of the request's workspace."""
    return backend(request).datasets


def webhooks(request: Request) -> WebhookRuntime:
    """The webhook store and dispatcher of the request's workspace."""
    return runtime(request).webhooks_for(workspace(request))


def artifact_store(request: Request) -> ArtifactStore:
    """The proxied (``mlflow-artifacts:/``) artifact store, as the request's workspace sees it.

    Without workspaces: the whole store. With them: a view that keeps each workspace in
    ``workspaces/<name>/`` (``default`` keeps the root, without the other workspaces'
    folders), see :class:`~ardea.store.artifacts.workspace.WorkspaceArtifactStore`.
    """
    rt = runtime(request)
    name = workspace(request)
    root = rt.deps.backend.artifacts
    if name is None:
        return root
    store = rt.workspace_artifacts.get(name)
    if store is None:
        from ardea.store.artifacts.workspace import WorkspaceArtifactStore

        rt.backend_for(name)  # 404 for an unknown workspace
        with rt.lock:
            store = rt.workspace_artifacts.setdefault(name, WorkspaceArtifactStore(root, name))
    return store


def artifact_store_at(request: Request, uri: str) -> ArtifactStore:
    """The artifact store rooted at ``uri`` (a location the caller already checked), cached.

    Args:
        request: The request being served.
        uri: A folder or object-store URI.
    """
    rt = runtime(request)
    with rt.lock:
        store = rt.artifact_stores.get(uri)
        if store is None:
            from ardea.store.artifacts.resolve import resolve_artifact_store

            store = resolve_artifact_store(uri)
            if len(rt.artifact_stores) >= 256:
                # Dropped, not closed: a request may still be streaming from it.
                rt.artifact_stores.pop(next(iter(rt.artifact_stores)))
            rt.artifact_stores[uri] = store
    return store


def settings(request: Request) -> ServerSettings:
    """The settings of the app serving ``request``."""
    return runtime(request).deps.settings
