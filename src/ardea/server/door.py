"""The one door every request passes: who is calling, and in which workspace.

:class:`RequestDoor` is the outermost ASGI middleware of the app: every HTTP request, whether
the RPC fast path (:mod:`ardea.server.fastpath`) dispatches it, a FastAPI route, the OTLP
receiver or the static UI answers it, first gets a :class:`RequestContext` (a request id, the
caller and the workspace). The context lives in a context variable for the request's whole
life, including the thread-pool threads its store calls run in (Starlette copies the context
into them), and every response carries the request id in ``X-Request-Id``.

Handlers reach stores only through the accessors of :mod:`ardea.server.deps`, which read the
context: that is the one place a caller's workspace will scope what a store sees. An accessor
called outside the door raises, so a path that bypassed it cannot reach data
(``tests/unit/server/test_door.py`` walks the route table to prove none does).

The workspace comes from MLflow's ``X-MLFLOW-WORKSPACE`` header when the server runs with
workspaces (absent: ``default``); a name that is not a workspace name is refused here (400).
Whether the workspace exists is the stores' to say (the accessors answer 404 for an unknown
one, in MLflow's error format). Without workspaces the header is refused with MLflow's
``FEATURE_DISABLED`` error, except on ``server-info`` (which clients read to learn whether
workspaces are on), and every request acts in ``default``.

Today the caller is anonymous; authentication fills it in.

The door also merges repeated slashes the client typed in the request path
(``//model-versions/get-artifact`` is ``/model-versions/get-artifact``), as MLflow's Flask
routing does, before anything routes it.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson

from ardea.entities.workspace import DEFAULT_WORKSPACE, is_workspace_name, validate_workspace_name

__all__ = [
    "REQUEST_ID_HEADER",
    "WORKSPACE_HEADER",
    "RequestContext",
    "RequestDoor",
    "current_request",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = "X-Request-Id"
"""Response header carrying the request id (also named in 500 answers and the server log)."""
_HEADER = REQUEST_ID_HEADER.lower().encode()
_SLASHES = re.compile(rb"/{2,}")
WORKSPACE_HEADER = "X-MLFLOW-WORKSPACE"
"""The request header naming the workspace (MLflow's)."""
_WORKSPACE = WORKSPACE_HEADER.lower().encode()
_WORKSPACES_DISABLED = "Workspace APIs are not available: workspaces are not enabled on this server"


def _merged_slashes(scope: Scope, raw_path: bytes) -> Scope:
    """The scope with runs of literal slashes in its path merged into one.

    Only slashes the client typed are merged: an escaped one (``%2F``) is part of a name and
    stays, so ``a/%2Fetc`` still names the absolute path ``/etc`` (and is refused) and never
    turns into ``a/etc``.
    """
    merged = _SLASHES.sub(b"/", raw_path)
    return dict(scope, raw_path=merged, path=urllib.parse.unquote(merged.decode("latin-1")))


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who is calling, where, and which request this is.

    Attributes:
        request_id: 16 hex characters, unique per request.
        caller: The authenticated user name, or None for an anonymous caller.
        workspace: The workspace the request acts in (``default`` without a header), or None
            when the server runs without workspaces (everything is in ``default``).
    """

    request_id: str
    caller: str | None = None
    workspace: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("ardea_request", default=None)


def current_request() -> RequestContext | None:
    """The context of the request being served (None outside any request)."""
    return _current.get()


def _workspace_header(scope: Scope) -> str | None:
    """The ``X-MLFLOW-WORKSPACE`` value, stripped (None when absent or blank)."""
    for key, value in scope.get("headers") or ():
        if key == _WORKSPACE:
            return value.decode("latin-1").strip() or None
    return None


def _is_server_info(scope: Scope) -> bool:
    return str(scope.get("path", "")).rstrip("/").endswith("/mlflow/server-info")


class RequestDoor:
    """Pure-ASGI middleware: establish the :class:`RequestContext` of each HTTP request.

    Args:
        app: The wrapped application.
        workspaces: Whether the server runs with workspaces (see the module docstring).
    """

    def __init__(self, app: ASGIApp, workspaces: bool = False) -> None:
        self.app = app
        self.workspaces = workspaces

    def _workspace(self, scope: Scope) -> tuple[str | None, tuple[int, str, str] | None]:
        """The request's workspace, or the error to answer: ``(status, code, message)``."""
        name = _workspace_header(scope)
        if not self.workspaces:
            if name is not None and not _is_server_info(scope):
                return None, (400, "FEATURE_DISABLED", _WORKSPACES_DISABLED)
            return None, None
        if name is None or name == DEFAULT_WORKSPACE or is_workspace_name(name):
            return name or DEFAULT_WORKSPACE, None
        if _is_server_info(scope):  # always reachable, as in MLflow
            return DEFAULT_WORKSPACE, None
        try:
            validate_workspace_name(name)
        except ValueError as exc:  # InvalidArgumentError
            return None, (400, "INVALID_PARAMETER_VALUE", str(exc))
        return None, (400, "INVALID_PARAMETER_VALUE", f"Invalid workspace name {name!r}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI event; HTTP requests get a context and an ``X-Request-Id``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("raw_path")
        if isinstance(raw, bytes) and b"//" in raw.split(b"?", 1)[0]:
            scope = _merged_slashes(scope, raw.split(b"?", 1)[0])
        workspace, refused = self._workspace(scope)
        context = RequestContext(os.urandom(8).hex(), workspace=workspace)  # urandom: uuid4/10
        header = (_HEADER, context.request_id.encode())
        if refused is not None:
            status, code, message = refused
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json"), header],
                }
            )
            body = orjson.dumps({"error_code": code, "message": message})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = _current.set(context)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
