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

Today the caller is anonymous and there is one workspace; authentication fills them in.

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

__all__ = ["REQUEST_ID_HEADER", "RequestContext", "RequestDoor", "current_request"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = "X-Request-Id"
"""Response header carrying the request id (also named in 500 answers and the server log)."""
_HEADER = REQUEST_ID_HEADER.lower().encode()
_SLASHES = re.compile(rb"/{2,}")


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
        workspace: The workspace the request acts in, or None for the default one.
    """

    request_id: str
    caller: str | None = None
    workspace: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("ardea_request", default=None)


def current_request() -> RequestContext | None:
    """The context of the request being served (None outside any request)."""
    return _current.get()


class RequestDoor:
    """Pure-ASGI middleware: establish the :class:`RequestContext` of each HTTP request.

    Args:
        app: The wrapped application.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI event; HTTP requests get a context and an ``X-Request-Id``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("raw_path")
        if isinstance(raw, bytes) and b"//" in raw.split(b"?", 1)[0]:
            scope = _merged_slashes(scope, raw.split(b"?", 1)[0])
        context = RequestContext(os.urandom(8).hex())  # a tenth of uuid4()'s cost
        header = (_HEADER, context.request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = _current.set(context)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
