"""The FastAPI application: ``create_app(deps)`` mounts every router on one app.

Every MLflow RPC is served under both ``/api/<v>`` and ``/ajax-api/<v>`` (the MLflow UI uses
the latter); only the ``/api`` copy appears in the OpenAPI document.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI

from ardea._core.env import ARDEA_METRICS_PUBLIC
from ardea.server.deps import ServerDeps, ServerRuntime, ServerSettings
from ardea.server.door import RequestDoor
from ardea.server.errors import install_error_handlers
from ardea.server.fastpath import RpcFastPath
from ardea.server.gateway import GatewayRoutes
from ardea.server.logs import ACCESS_LOGGER, json_logs
from ardea.server.openapi_gateway import add_gateway_paths, add_metrics_path
from ardea.server.openapi_responses import install_document
from ardea.server.route_table import RouteTable
from ardea.server.routers import (
    alerts,
    artifacts,
    assessments,
    auth_accounts,
    auth_audit,
    auth_oidc,
    auth_roles,
    auth_session,
    auth_users,
    datasets,
    evaluations,
    experiments,
    gateway_admin,
    gateway_keys,
    gateway_policies,
    gateway_usage,
    issues,
    judge_alignments,
    judges,
    logged_models,
    meta,
    metrics,
    model_files,
    online_scoring,
    otlp,
    promptlab,
    registry,
    retention,
    review,
    runs,
    scorers,
    trace_metrics,
    trace_queries,
    trace_spans,
    traces,
    traces_v2,
    webhooks,
    workspaces,
)
from ardea.server.security import SecurityMiddleware
from ardea.server.server_metrics import ServerMetrics
from ardea.server.static import mount_ui
from ardea.server.webhook_events import open_runtime

if TYPE_CHECKING:
    from ardea.gateway.proxy import Gateway
    from ardea.server.otlp_grpc import OtlpGrpcReceiver

__all__ = ["create_app"]


def _include(app: FastAPI, router: APIRouter, prefix: str = "", **kwargs: Any) -> None:
    """``app.include_router``, also recorded for :class:`RpcFastPath`'s route table."""
    app.include_router(router, prefix=prefix, **kwargs)
    app.state.rpc_mounts.append((prefix, router))


def _mount(app: FastAPI, router: APIRouter, version: str, *, ajax_only: bool = False) -> None:
    if not ajax_only:
        _include(app, router, f"/api/{version}")
    _include(app, router, f"/ajax-api/{version}", include_in_schema=ajax_only)


def _open_loops(deps: ServerDeps, state: ServerRuntime) -> None:
    """The in-server loops of a SQL backend: online scoring, alerts, the retention sweep."""
    if deps.backend.remote:
        return
    from ardea.server.alerts import AlertEvaluator
    from ardea.server.online_process import loop_spec_for
    from ardea.server.online_scoring import OnlineScoring

    spec = loop_spec_for(
        deps.backend.uri,
        artifacts_destination=deps.settings.artifacts_destination,
        sqlite_synchronous=deps.settings.sqlite_synchronous,
    )
    state.online = OnlineScoring(deps.backend, spec=spec)
    state.alerts = AlertEvaluator(state)
    from ardea.server.retention import RetentionSweeper

    state.retention = RetentionSweeper(deps.backend)


def create_app(deps: ServerDeps, *, close_stores_on_shutdown: bool = False) -> FastAPI:
    """Build the server app around ``deps``.

    Args:
        deps: The backend and settings; kept, with what the app derives from them, in one
            :class:`~ardea.server.deps.ServerRuntime` on ``app.state.ardea``.
        close_stores_on_shutdown: Close the backend when the app's lifespan ends (the CLI
            owns its backend this way; tests usually close their own). Such an app owns its
            process, so it also freezes the start-up heap (see ``_freeze_startup_heap``).
    """
    state = ServerRuntime(deps, open_runtime(deps.backend))
    gateway = _open_gateway(deps, state)
    state.gateway = gateway
    _open_loops(deps, state)
    if deps.settings.auth_enabled:
        from ardea.server.auth_runtime import open_auth_runtime

        state.auth = open_auth_runtime(deps.settings, deps.backend)
    server_metrics = ServerMetrics(
        None,
        database=getattr(deps.backend.tracking, "database", None),
        gateway=gateway.metrics if gateway is not None else None,
    )
    state.metrics = server_metrics
    metrics_public = metrics_are_public()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if close_stores_on_shutdown:
            _freeze_startup_heap()
        loops = [loop for loop in (state.online, state.alerts, state.retention) if loop is not None]
        for loop in loops:
            loop.start()
        grpc_receiver = await _start_grpc(app, deps.settings)
        yield
        if grpc_receiver is not None:  # first: in-flight exports still reach the stores
            await grpc_receiver.stop()
        for loop in reversed(loops):
            await loop.stop()
        # Deliver what is queued, within a grace period (ARDEA_WEBHOOKS_DRAIN_SECONDS, 5 s).
        for runtime in state.all_webhooks():
            runtime.dispatcher.close()
        if gateway is not None:
            gateway.close()  # write the queued request traces
            from ardea.gateway.http import close_pool

            await close_pool()  # the upstream connections
        server_metrics.close()
        if close_stores_on_shutdown:
            deps.backend.close()

    app = FastAPI(
        title="Ardea",
        version=meta.SERVER_VERSION,
        lifespan=lifespan,
        docs_url="/docs" if deps.settings.dev else None,
        redoc_url=None,
    )
    app.state.ardea = state
    app.state.rpc_mounts = []
    install_error_handlers(app)
    install_document(app, _document_extension(gateway is not None))
    # Added first, so it sits innermost: every other middleware (security) runs before it.
    app.add_middleware(RpcFastPath)
    # Outside the fast path, inside the security middleware and the door: /gateway/... and
    # /metrics are answered here without FastAPI routing (see ardea.server.gateway).
    app.add_middleware(
        GatewayRoutes,
        gateway=gateway,
        auth=state.auth,
        exposition=server_metrics.exposition,
        metrics_admin_only=state.auth is not None and not metrics_public,
    )
    settings = deps.settings
    app.add_middleware(
        SecurityMiddleware,
        allowed_hosts=settings.allowed_hosts,
        cors_allowed_origins=settings.cors_allowed_origins,
        bound_host=settings.host,
        x_frame_options=settings.x_frame_options,
        csp=not settings.dev,  # Vite's dev page (--dev) needs inline scripts
    )
    _include(app, meta.router)
    _mount(app, meta.v3_router, "3.0")
    _mount(app, workspaces.router, "3.0")
    _include(app, otlp.router)
    _mount(app, traces.v3_router, "3.0")
    _mount(app, trace_spans.router, "3.0")
    _mount(app, trace_metrics.router, "3.0")
    _mount(app, model_files.router, "3.0")
    _mount(app, assessments.router, "3.0")
    _mount(app, trace_queries.router, "3.0")
    _mount(app, datasets.router, "3.0")
    _mount(app, scorers.router, "3.0")
    _mount(app, online_scoring.router, "3.0")
    _mount(app, review.router, "3.0")
    _mount(app, issues.router, "3.0")
    _mount(app, alerts.router, "3.0")
    _mount(app, retention.router, "3.0")
    _mount(app, gateway_admin.router, "3.0")
    _mount(app, gateway_policies.router, "3.0")
    _mount(app, gateway_policies.ui_router, "3.0", ajax_only=True)
    _mount(app, gateway_usage.router, "3.0")
    _mount(app, evaluations.router, "3.0")
    _mount(app, judges.router, "3.0")
    _mount(app, judge_alignments.router, "3.0")
    _mount(app, auth_session.router, "3.0")
    _mount(app, auth_users.rbac_router, "3.0")
    _mount(app, auth_roles.router, "3.0")
    _mount(app, auth_accounts.router, "3.0")
    _mount(app, gateway_keys.router, "3.0")
    _mount(app, auth_audit.router, "3.0")
    _include(app, auth_oidc.router, "/api/3.0", include_in_schema=False)  # browser redirects
    _mount(app, traces.common_router, "2.0")
    _mount(app, traces_v2.router, "2.0")
    for prefix in ("/api/3.0", "/ajax-api/3.0"):  # the v3 copies, left out of the OpenAPI doc
        _include(app, traces.common_router, prefix, include_in_schema=False)
    for module in (experiments, runs, metrics, logged_models, registry, webhooks, auth_users):
        _mount(app, module.router, "2.0")
    _mount(app, experiments.ajax_router, "2.0", ajax_only=True)
    _mount(app, promptlab.ajax_router, "2.0", ajax_only=True)
    _mount(app, metrics.ajax_router, "2.0", ajax_only=True)
    _mount(app, logged_models.ajax_router, "2.0", ajax_only=True)
    _mount(app, artifacts.router, "2.0")
    if deps.settings.serve_artifacts:
        _mount(app, artifacts.proxy_router, "2.0")
        _include(app, artifacts.root_router)
        _include(app, model_files.root_router)
    _mount(app, artifacts.ajax_router, "2.0", ajax_only=True)
    mount_ui(app, dev=settings.dev)  # last: the web UI answers GETs on every non-API path
    state.routes = server_metrics.routes = RouteTable(app.state.rpc_mounts)
    authenticator = None
    if state.auth is not None:
        from ardea.server.authn import DoorAuth, RouteGate

        gate = RouteGate(app.state.rpc_mounts, metrics_public=metrics_public)
        authenticator = DoorAuth(state.auth, gate)
    # Added last, so it sits outermost: every request, whichever path serves it, passes it.
    app.add_middleware(
        RequestDoor,
        workspaces=settings.enable_workspaces,
        authenticator=authenticator,
        metrics=server_metrics,
        # JSON logs: the access log is the door's (route, status, request id; no secrets).
        access_log=logging.getLogger(ACCESS_LOGGER)
        if settings.access_log and json_logs()
        else None,
    )
    return app


def _document_extension(gateway: bool) -> Any:
    """What the OpenAPI document adds to FastAPI's: ``/metrics``, and the gateway's paths."""

    def extend(doc: dict[str, Any]) -> None:
        add_metrics_path(doc)
        if gateway:
            add_gateway_paths(doc)

    return extend


def metrics_are_public() -> bool:
    """Whether ``ARDEA_METRICS_PUBLIC`` opens ``GET /metrics`` to anyone on an auth server."""
    return os.environ.get(ARDEA_METRICS_PUBLIC, "").strip().lower() in ("1", "true", "yes")


def _open_gateway(deps: ServerDeps, state: ServerRuntime) -> Gateway | None:
    """The gateway's request path, or None when ``gateway_enabled`` is off."""
    if not deps.settings.gateway_enabled:
        return None
    from ardea.gateway.memory import StaticSource
    from ardea.gateway.proxy import Gateway

    source = deps.gateway_source
    if source is None:
        from ardea.store.gateway import UnsupportedGatewayStore

        backend = deps.backend
        if isinstance(backend.gateway, UnsupportedGatewayStore):
            source = StaticSource()
        else:
            from ardea.gateway.db_source import DatabaseGatewaySource

            source = DatabaseGatewaySource(lambda ws: backend.scoped(ws).gateway)
    from ardea.gateway.trace_process import writer_spec_for
    from ardea.server.gateway_guard import open_server_guard, sanitizer_for
    from ardea.store.gateway_usage import UnsupportedGatewayUsageStore

    guard = open_server_guard(deps.backend, source, state, auth=deps.settings.auth_enabled)
    usage = deps.backend.gateway_usage
    usage_store = None if isinstance(usage, UnsupportedGatewayUsageStore) else usage
    settings = deps.settings
    gateway = Gateway(
        source,
        trace_store=deps.backend.traces,
        guard=guard,
        usage_store=usage_store,
        trace_store_for=lambda workspace: deps.backend.scoped(workspace).traces,
        trace_writer=writer_spec_for(
            deps.backend.uri,
            artifacts_destination=settings.artifacts_destination,
            sqlite_synchronous=settings.sqlite_synchronous,
            usage=usage_store is not None,
        ),
    )
    if guard is not None:  # SANITIZATION judges rewrite through their action endpoint
        guard.sanitizer = sanitizer_for(gateway)
    return gateway


async def _start_grpc(app: FastAPI, settings: ServerSettings) -> OtlpGrpcReceiver | None:
    """The OTLP/gRPC receiver on ``--otlp-grpc-port``, serving; None without the option.

    Imported only here: an app without the port never loads ``grpcio``.
    """
    if not settings.otlp_grpc_port:
        return None
    from ardea.server.otlp_grpc import OtlpGrpcReceiver

    receiver = OtlpGrpcReceiver(app, (settings.host, settings.port))
    await receiver.start(settings.host, settings.otlp_grpc_port, shared=settings.workers > 1)
    return receiver


def _freeze_startup_heap() -> None:
    """Move the objects alive at start-up out of the garbage collector's sight.

    The imported framework and library objects never die, yet every full collection walked
    them; a search page that builds a few thousand JSON containers triggered such walks, which
    cost a third of the page. ``gc.freeze`` parks them in a permanent generation, and a
    higher first-generation threshold lets a request's short-lived objects (a 1,000-point
    batch makes several thousand) die before a collection looks at them.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
