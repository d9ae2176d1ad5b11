"""A fast dispatcher for the RPC routes that have no path parameters.

FastAPI's per-request machinery (route scan, dependency solving, several middlewares) costs
more CPU than a whole ``log-metric`` write. Every MLflow RPC handler here is already a plain
``async def handler(request) -> Response`` that turns every exception into an MLflow error
envelope (``server.errors.handle_errors``), so exact-path routes can be dispatched with one
dict lookup. FastAPI still owns everything else (path-parameter routes, 404/405 answers,
OpenAPI), and the route table is read from FastAPI's own routes, so the two cannot drift.
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
        table: dict[tuple[str, str], Handler] = {}
        for route in scope["app"].routes:
            if isinstance(route, APIRoute) and "{" not in route.path and route.methods:
                for method in route.methods:
                    table.setdefault((method, route.path), route.endpoint)
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
