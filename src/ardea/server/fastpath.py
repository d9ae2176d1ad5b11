"""A fast dispatcher for the RPC routes that have no path parameters.

FastAPI's per-request machinery (route scan, dependency solving, several middlewares) costs
more CPU than a whole ``log-metric`` write. Every MLflow RPC handler here is already a plain
``async def handler(request) -> Response`` that turns every exception into an MLflow error
envelope (``server.errors.handle_errors``), so exact-path routes can be dispatched with one
dict lookup, and an exact path wins over a path-parameter route (as MLflow's clients need:
``/traces/get`` before ``/traces/{trace_id}``). FastAPI still owns everything else
(path-parameter routes, 404/405 answers, OpenAPI); the table is read from the routers the app
included (``app.state.rpc_mounts``), so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["RpcFastPath"]

Handler = Callable[[Request], Awaitable[Response]]


class RpcFastPath:
    """Pure-ASGI middleware: exact ``(method, path)`` matches go straight to their handler."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._table: dict[tuple[str, str], Handler] | None = None

    def _build(self, scope: Scope) -> dict[tuple[str, str], Handler]:
        # ``app.state.rpc_mounts`` lists (prefix, router) in inclusion order (server.app).
        table: dict[tuple[str, str], Handler] = {}
        for prefix, router in scope["app"].state.rpc_mounts:
            for route in router.routes:
                path = prefix + getattr(route, "path", "{")
                if (
                    isinstance(route, APIRoute)
                    and "{" not in path
                    and route.methods
                    and getattr(route.endpoint, "ardea_rpc", False)  # answers every error itself
                ):
                    for method in route.methods:
                        table.setdefault((method, path), route.endpoint)
        return table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch one ASGI request."""
        if scope["type"] == "http":
            table = self._table
            if table is None:
                table = self._table = self._build(scope)
            handler = table.get((scope["method"], scope["path"]))
            if handler is not None:
                response = await handler(Request(scope, receive))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
