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

On a server with ``--auth`` the door also authenticates (:mod:`ardea.server.authn`): HTTP
Basic, ``Authorization: Bearer`` API tokens and the UI's session cookie (with its CSRF
header on unsafe methods). The caller (a :class:`~ardea.auth.identity.Principal`) goes into
the context; a request without valid credentials to anything but a public route is
answered here with 401 ``UNAUTHENTICATED`` in MLflow's error format (on the AI gateway's
invocation paths: in the error shape of the API the caller speaks, OpenAI's, Anthropic's or
Google's) and ``WWW-Authenticate: Basic realm="mlflow"``, before any routing. Public are
``/health``, ``/version``, ``server-info``, the login routes (every route whose rule is
PUBLIC), the web UI and its assets, and CORS preflights. What the caller may then do is
each route's rule (:mod:`ardea.server.authz`). Without ``--auth`` none of this runs.

The door also merges repeated slashes the client typed in the request path
(``//model-versions/get-artifact`` is ``/model-versions/get-artifact``), as MLflow's Flask
routing does, before anything routes it.
"""

from __future__ import annotations

import logging
import os
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from ardea.entities.workspace import DEFAULT_WORKSPACE, is_workspace_name, validate_workspace_name
from ardea.gateway.errors import dialect_of_path
from ardea.gateway.errors import error_body as api_error_body

if TYPE_CHECKING:
    from ardea.auth.identity import Principal
    from ardea.server.server_metrics import ServerMetrics

__all__ = [
    "CHALLENGE",
    "NOT_AUTHENTICATED",
    "REQUEST_ID_HEADER",
    "WORKSPACE_HEADER",
    "Authenticator",
    "Refusal",
    "RequestContext",
    "RequestDoor",
    "challenges",
    "current_request",
    "error_body",
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

CHALLENGE = (b"www-authenticate", b'Basic realm="mlflow"')
"""The header of a 401 to an API client: MLflow's clients (and curl) then send credentials."""

NOT_AUTHENTICATED = (
    "You are not authenticated: send a username and password (HTTP Basic, as "
    "MLFLOW_TRACKING_USERNAME/PASSWORD do), an API token (Authorization: Bearer, as "
    "MLFLOW_TRACKING_TOKEN does), or sign in."
)
"""The message of a 401 to a request without credentials."""


def challenges(path: str, had_cookie: bool = False) -> bool:
    """Whether a 401 for ``path`` carries ``WWW-Authenticate``.

    Not for the web UI (its ``/ajax-api`` calls, or any request that carried a session
    cookie): a browser would pop up its own password dialog instead of the login page.
    """
    return not had_cookie and not path.startswith("/ajax-api/")


def error_body(code: str, message: str) -> bytes:
    """MLflow's error envelope."""
    return orjson.dumps({"error_code": code, "message": message})


@dataclass(frozen=True, slots=True)
class Refusal:
    """The door's answer to a request it does not let in.

    Attributes:
        status: 401, 403 or 429.
        code: MLflow's error code.
        message: What to tell the client.
        headers: More response headers (``WWW-Authenticate``, ``Retry-After``).
    """

    status: int
    code: str
    message: str
    headers: tuple[tuple[bytes, bytes], ...] = ()


class Authenticator(Protocol):
    """What the door asks on a server with ``--auth`` (:class:`ardea.server.authn.DoorAuth`)."""

    def needs_auth(self, method: str, path: str) -> bool:
        """Whether a request must be authenticated (false for public routes and the UI)."""

    async def authenticate(self, scope: Scope) -> Principal | Refusal:
        """Who is calling, or why not."""


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
        caller: Who is calling (user, and how it authenticated), or None: anonymous, or a
            server without ``--auth``, or a public route (never authenticated).
        workspace: The workspace the request acts in (``default`` without a header), or None
            when the server runs without workspaces (everything is in ``default``).
    """

    request_id: str
    caller: Principal | None = None
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
        authenticator: Authenticates requests (a server with ``--auth``); None: everyone is
            anonymous.
        metrics: Times and counts every request (``GET /metrics``); None: no metrics.
        access_log: Log every answered request to this logger (:mod:`ardea.server.logs`);
            None: no access log here.
    """

    def __init__(
        self,
        app: ASGIApp,
        workspaces: bool = False,
        authenticator: Authenticator | None = None,
        metrics: ServerMetrics | None = None,
        access_log: logging.Logger | None = None,
    ) -> None:
        self.app = app
        self.workspaces = workspaces
        self.authenticator = authenticator
        self.metrics = metrics
        self.access_log = access_log

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
        metrics = self.metrics
        access = self.access_log
        if metrics is None and access is None:
            await self._serve(scope, receive, send)
            return
        # Timed from here, refusals included: the status is the answer's, 500 if none left.
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        seen: list[RequestContext] = []
        if metrics is not None:
            scope["ardea.metrics"] = metrics  # server_metrics.SCOPE_KEY, for ingest counts
            metrics.begin()
        try:
            await self._serve(scope, receive, send_status, seen)
        finally:
            elapsed = time.perf_counter() - started
            if metrics is not None:
                metrics.end()
                metrics.observe(scope["method"], scope["path"], status, elapsed)
            if access is not None:
                _log_access(access, scope, status, elapsed, seen, metrics)

    async def _serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        seen: list[RequestContext] | None = None,
    ) -> None:
        raw = scope.get("raw_path")
        if isinstance(raw, bytes) and b"//" in raw.split(b"?", 1)[0]:
            scope = _merged_slashes(scope, raw.split(b"?", 1)[0])
        request_id = os.urandom(8).hex()  # urandom: a tenth of uuid4's cost
        if seen is not None:
            seen.append(RequestContext(request_id))
        header = (_HEADER, request_id.encode())
        caller: Principal | None = None
        gate = self.authenticator
        if gate is not None and gate.needs_auth(scope["method"], scope["path"]):
            found = await gate.authenticate(scope)
            if isinstance(found, Refusal):
                await _answer(
                    send,
                    found.status,
                    found.code,
                    found.message,
                    header,
                    found.headers,
                    path=scope["path"],
                )
                return
            caller = found
        workspace, refused = self._workspace(scope)
        if refused is not None:
            status, code, message = refused
            await _answer(send, status, code, message, header, path=scope["path"])
            return
        context = RequestContext(request_id, caller=caller, workspace=workspace)
        if seen is not None:
            seen[0] = context

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = _current.set(context)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)


def _log_access(
    logger: logging.Logger,
    scope: Scope,
    status: int,
    elapsed: float,
    seen: list[RequestContext],
    metrics: ServerMetrics | None,
) -> None:
    """One access-log record: never a header nor the query string (they may hold secrets)."""
    path = scope["path"]
    context = seen[0] if seen else None
    extra: dict[str, Any] = {
        "method": scope["method"],
        "path": path,
        "route": metrics.route_of(path) if metrics is not None else None,
        "status": status,
        "duration_ms": round(elapsed * 1000, 3),
        "request_id": context.request_id if context else None,
        "workspace": context.workspace if context else None,
        "user": context.caller.user.username if context and context.caller else None,
    }
    logger.info("%s %s %d", scope["method"], path, status, extra=extra)


async def _answer(
    send: Send,
    status: int,
    code: str,
    message: str,
    request_id: tuple[bytes, bytes],
    headers: tuple[tuple[bytes, bytes], ...] = (),
    path: str = "",
) -> None:
    """Send an error straight from the door, in the shape ``path``'s callers expect.

    MLflow's error JSON, except on the AI gateway's invocation paths, whose callers are
    OpenAI's, Anthropic's or Google's SDKs: there it is that API's own error body
    (:func:`ardea.gateway.errors.dialect_of_path` decides which), so the SDK raises its
    ``AuthenticationError`` (or ``PermissionDeniedError``) with the message.
    """
    start = [(b"content-type", b"application/json"), request_id, *headers]
    dialect = dialect_of_path(path)
    if dialect is None or dialect == "mlflow":
        body = error_body(code, message)
    else:
        body = api_error_body(dialect, status, message, code.lower())
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})
