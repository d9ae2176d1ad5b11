"""The gateway's HTTP surface: ``/gateway/...`` invocation routes and ``/metrics``.

:class:`GatewayRoutes` is a pure-ASGI middleware inside the door (so every call has its
:class:`~ardea.server.door.RequestContext`: caller and workspace) and inside the security
middleware. It answers the gateway paths itself, with a dict lookup for the fixed paths and
two patterns for the ones that carry an endpoint name, and hands everything else on. No
FastAPI routing, no pydantic models on this path: the body is read with a size cap, parsed
once with ``orjson``, and the call goes to :class:`ardea.gateway.proxy.Gateway`.

Paths (the caller names the endpoint in ``model``, except where the path does):

==================================================  =========================================
``POST /gateway/v1/chat/completions``                OpenAI Chat Completions
``POST /gateway/v1/embeddings``                      OpenAI Embeddings
``POST /gateway/v1/responses``                       OpenAI Responses
``POST /gateway/v1/responses/compact``               ... its compaction (unary)
``GET  /gateway/v1/models``                          OpenAI model list (the endpoints)
``POST /gateway/anthropic/v1/messages``              Anthropic Messages
``POST /gateway/mlflow/v1/chat/completions``         MLflow 3's OpenAI-compatible chat
``POST /gateway/mlflow/v1/embeddings``               ... and embeddings
``GET  /gateway/mlflow/v1/models``                   ... and model list
``POST /gateway/openai/v1/{chat/completions,embeddings,responses,responses/compact}``
                                                     MLflow's passthroughs
``GET  /gateway/openai/v1/models``                   model list
``POST /gateway/proxy/<endpoint>/<path>``           MLflow's raw proxy: the body, unchanged,
                                                     to ``<target base URL>/<path>``
``POST /gateway/<endpoint>/mlflow/invocations``      MLflow's unified route (``messages``:
                                                     chat, ``input``: embeddings)
``POST /gateway/gemini/v1beta/models/<endpoint>:generateContent`` (and
``:streamGenerateContent``)                          Gemini passthrough
``POST /endpoints/<endpoint>/invocations``           MLflow's deployments client (``predict``)
``GET  /api/2.0/endpoints/`` (and ``/<endpoint>``)   its ``list_endpoints`` / ``get_endpoint``
``GET  /metrics``                                    Prometheus metrics
==================================================  =========================================

Every answer carries MLflow's timing headers ``X-MLflow-Gateway-Duration-Ms`` (the whole
request) and ``X-MLflow-Gateway-Overhead-Duration-Ms`` (the gateway's own share), and
``X-Ardea-Gateway-Overhead-Us``, the gateway's own time in microseconds (for a stream: until
its headers).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from ardea._core.env import ARDEA_GATEWAY_MAX_BODY_BYTES
from ardea.auth.policy import GRANTS_CACHE_TTL_S, Decisions
from ardea.entities.auth import Permission, ResourceType
from ardea.entities.workspace import DEFAULT_WORKSPACE
from ardea.gateway import routes as r
from ardea.gateway.config import Endpoint
from ardea.gateway.deployments import endpoint_info, endpoints_page, models_page
from ardea.gateway.errors import Dialect, GatewayError, dialect_of_path, error_body
from ardea.gateway.metrics import CONTENT_TYPE
from ardea.gateway.proxy import Answer, Call, Gateway, StreamAnswer
from ardea.server.auth_runtime import AuthRuntime
from ardea.server.door import RequestContext, current_request
from ardea.server.parsing import call

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "GatewayRoutes",
    "authorize_use",
    "gateway_app",
    "visible_endpoints",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
"""Largest request body accepted (``ARDEA_GATEWAY_MAX_BODY_BYTES``); larger ones get 413."""

_POST: dict[str, r.Route] = {
    "/gateway/v1/chat/completions": r.MLFLOW_CHAT,
    "/gateway/v1/embeddings": r.MLFLOW_EMBEDDINGS,
    "/gateway/v1/responses": r.OPENAI_RESPONSES,
    "/gateway/mlflow/v1/chat/completions": r.MLFLOW_CHAT,
    "/gateway/mlflow/v1/embeddings": r.MLFLOW_EMBEDDINGS,
    "/gateway/openai/v1/chat/completions": r.OPENAI_CHAT,
    "/gateway/openai/v1/embeddings": r.OPENAI_EMBEDDINGS,
    "/gateway/openai/v1/responses": r.OPENAI_RESPONSES,
    "/gateway/openai/v1/responses/compact": r.OPENAI_RESPONSES_COMPACT,
    "/gateway/v1/responses/compact": r.OPENAI_RESPONSES_COMPACT,
    "/gateway/anthropic/v1/messages": r.ANTHROPIC_MESSAGES,
}
_MODELS = frozenset(
    {"/gateway/v1/models", "/gateway/mlflow/v1/models", "/gateway/openai/v1/models"}
)
_INVOCATIONS = re.compile(r"/gateway/([A-Za-z0-9_-]+)/mlflow/invocations")
_GEMINI = re.compile(
    r"/gateway/gemini/v1beta/models/([A-Za-z0-9_-]+):(generateContent|streamGenerateContent)"
)
_PROXY = re.compile(r"/gateway/proxy/([A-Za-z0-9_-]+)/((?:[A-Za-z0-9_~:-][A-Za-z0-9._~:-]*/?)+)")
"""``/gateway/proxy/<endpoint>/<path>``: no empty, ``.`` or ``..`` segment, no query."""
_JSON = (b"content-type", b"application/json")
_DEPLOYMENTS = ("/endpoints/", "/api/2.0/endpoints")
_UI_PAGES = re.compile(r"/gateway/(?:endpoints/[^/]+|usage|keys|budgets|playground)/?")
"""The web UI's gateway pages: a GET of one is the app's (the UI), not an invocation path."""
_QUERY = re.compile(r"/endpoints/([A-Za-z0-9_-]+)/invocations")


_USE_CACHE_MAX = 20_000


async def authorize_use(
    auth: AuthRuntime | None,
    gateway: Gateway,
    context: RequestContext | None,
    workspace: str,
    name: str,
    cache: dict[tuple[Any, ...], tuple[float, Any]] | None = None,
) -> None:
    """The per-endpoint USE check of an invocation (with ``--auth``).

    The door has already authenticated the caller (401 otherwise) in the request's workspace.
    Admins may call every endpoint. Others need USE on the endpoint (a member's default READ
    is not enough): an endpoint the caller may not read answers as unknown (404), one it may
    read but not use is a 403, in the API's own error shape. An unknown endpoint is left to the
    request path (its 404).

    With ``cache``, a caller's level on an endpoint is reused for
    :data:`~ardea.auth.policy.GRANTS_CACHE_TTL_S` seconds while neither the auth store's
    generation (grants, roles, users, tokens changed here) nor the gateway source's moves, so
    a call pays no threadpool hop for the check; changes on other replicas count within the
    TTL, as the policy's own cache does.

    Raises:
        GatewayError: 404 or 403.
    """
    if auth is None or context is None or context.caller is None:
        return
    user = context.caller.user
    if user.is_admin:
        return
    endpoint = gateway.source.endpoint(workspace, name)
    if endpoint is None:
        return
    key = (
        user.id,
        endpoint.endpoint_id,
        workspace,
        auth.policy.store.generation,
        gateway.source.generation,
    )
    now = time.monotonic()
    found = cache.get(key) if cache is not None else None
    if found is not None and found[0] > now:
        level = found[1]
    else:
        level = await call(
            auth.policy.level, user, ResourceType.GATEWAY_ENDPOINT, endpoint.endpoint_id, workspace
        )
        if cache is not None:
            if len(cache) >= _USE_CACHE_MAX:
                cache.clear()
            cache[key] = (now + GRANTS_CACHE_TTL_S, level)
    if not level.can_read:
        raise GatewayError(404, f"No gateway endpoint named {name!r}", code="model_not_found")
    if not level.allows(Permission.USE):
        raise GatewayError(
            403,
            f"Permission denied: USE on gateway endpoint {name!r} is needed; you have "
            f"{level.value}.",
            code="permission_denied",
        )


async def visible_endpoints(
    auth: AuthRuntime | None,
    context: RequestContext | None,
    workspace: str,
    endpoints: list[Endpoint],
    needed: Permission = Permission.USE,
) -> list[Endpoint]:
    """The ``endpoints`` the caller holds ``needed`` on (all of them without ``--auth``).

    The invocation surface's lists (``GET /gateway/v1/models``, MLflow's deployments
    ``list_endpoints``) show what the caller may call: USE on the endpoint, as
    :func:`authorize_use` asks of a call. Admins and workspace admins see every endpoint.
    One thread-pool hop for the whole list; the policy caches the grants it reads.
    """
    if auth is None or context is None or context.caller is None or not endpoints:
        return endpoints
    user = context.caller.user
    if user.is_admin:
        return endpoints
    policy = auth.policy

    def keep() -> list[Endpoint]:
        memo = Decisions()
        return [
            e
            for e in endpoints
            if policy.level(
                user, ResourceType.GATEWAY_ENDPOINT, e.endpoint_id, workspace, memo
            ).allows(needed)
        ]

    return await call(keep)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return dict(scope.get("headers") or ())


def _caller(headers: dict[bytes, bytes]) -> str | None:
    value = headers.get(b"x-mlflow-gateway-caller")
    if value:
        return value.decode("latin-1")[:100]
    agent = headers.get(b"user-agent")
    if agent:
        product = agent.decode("latin-1").split("/", 1)[0].strip()
        return product[:100] or None
    return None


class GatewayRoutes:
    """Pure-ASGI middleware serving the gateway's paths (see the module docstring).

    Args:
        app: The rest of the server.
        gateway: The request path; None answers every gateway path 501 (gateway off).
        max_body_bytes: Largest request body accepted.
        metrics: Serve ``GET /metrics``.
        auth: The server's auth runtime (``--auth``), for the per-endpoint USE check.
        exposition: Renders ``GET /metrics`` (the server's metrics, the gateway's among them);
            None: the gateway's metrics alone, when the gateway is on.
        metrics_admin_only: ``GET /metrics`` answers only an admin (403 to anyone else); a
            server with ``--auth`` without ``ARDEA_METRICS_PUBLIC``.
    """

    def __init__(
        self,
        app: ASGIApp,
        gateway: Gateway | None,
        max_body_bytes: int | None = None,
        metrics: bool = True,
        auth: AuthRuntime | None = None,
        exposition: Callable[[], bytes] | None = None,
        metrics_admin_only: bool = False,
    ) -> None:
        self.app = app
        self.gateway = gateway
        self.auth = auth
        if exposition is None and gateway is not None:
            exposition = gateway.metrics.exposition
        self.exposition = exposition
        self.metrics_admin_only = metrics_admin_only
        if max_body_bytes is None:
            max_body_bytes = int(
                os.environ.get(ARDEA_GATEWAY_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES)
            )
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics
        self._use_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a gateway path, or pass the request on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith("/gateway/") and not (
            scope["method"] == "GET" and _UI_PAGES.fullmatch(path)
        ):
            await self._gateway(scope, receive, send, path)
        elif path.startswith(_DEPLOYMENTS) and self.gateway is not None:
            await self._deployments(scope, receive, send, path)
        elif path == "/metrics" and self.metrics and self.exposition is not None:
            await self._metrics(send)
        else:
            await self.app(scope, receive, send)

    async def _metrics(self, send: Send) -> None:
        """``GET /metrics``: Prometheus' text format (an admin's, unless public)."""
        if self.metrics_admin_only:
            context = current_request()
            caller = context.caller if context is not None else None
            if caller is None or not caller.user.is_admin:
                message = (
                    "Reading /metrics needs an admin's credentials (or ARDEA_METRICS_PUBLIC=1 "
                    "on the server)"
                )
                await _error(send, "mlflow", 403, message, "PERMISSION_DENIED")
                return
        assert self.exposition is not None
        body = await call(self.exposition)
        await _send_bytes(send, 200, body, [(b"content-type", CONTENT_TYPE.encode())])

    async def _deployments(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        """MLflow's deployments-client paths (:mod:`ardea.gateway.deployments`)."""
        assert self.gateway is not None
        query = _QUERY.fullmatch(path)
        if query is not None:  # the same call as MLflow's unified invocations
            await self._gateway(
                scope, receive, send, f"/gateway/{query.group(1)}/mlflow/invocations"
            )
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _error(send, "mlflow", 405, "Use GET")
            return
        context = current_request()
        workspace = (context.workspace if context else None) or DEFAULT_WORKSPACE
        name = path.removeprefix("/api/2.0/endpoints").strip("/")
        if not name:
            found = list(self.gateway.source.endpoints(workspace))
            shown = await visible_endpoints(self.auth, context, workspace, found)
            await _send_bytes(send, 200, endpoints_page(shown), [_JSON])
            return
        endpoint = self.gateway.source.endpoint(workspace, name)
        if endpoint is not None:  # one the caller may not read answers as unknown
            seen = await visible_endpoints(
                self.auth, context, workspace, [endpoint], Permission.READ
            )
            endpoint = seen[0] if seen else None
        if endpoint is None or not endpoint.primary or path.startswith("/endpoints/"):
            await _error(send, "mlflow", 404, f"No gateway endpoint named {name!r}")
            return
        await _send_bytes(send, 200, orjson.dumps(endpoint_info(endpoint)), [_JSON])

    async def _gateway(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        started = time.perf_counter()
        start_ns = time.time_ns()
        dialect = dialect_of_path(path) or "openai"
        gateway = self.gateway
        if gateway is None:
            off = error_body(dialect, 501, "The AI gateway is not enabled on this server")
            await _send_bytes(send, 501, off, [_JSON])
            return
        context = current_request()
        workspace = (context.workspace if context else None) or DEFAULT_WORKSPACE
        method = scope["method"]
        if path in _MODELS:
            if method not in ("GET", "HEAD"):
                await _error(send, dialect, 405, "Use GET")
                return
            found = list(gateway.source.endpoints(workspace))
            shown = await visible_endpoints(self.auth, context, workspace, found)
            await _send_bytes(send, 200, models_page(shown), [_JSON])
            return
        route = _POST.get(path)
        endpoint = raw_path = None
        if route is None:
            match = _INVOCATIONS.fullmatch(path) or _PROXY.fullmatch(path)
            if match is not None:
                endpoint = match.group(1)
                if match.re is _PROXY:
                    route, raw_path = r.RAW_PROXY, match.group(2)
            else:
                match = _GEMINI.fullmatch(path)
                if match is None:
                    await _error(send, dialect, 404, f"No gateway route {path}")
                    return
                endpoint = match.group(1)
                stream = match.group(2) == "streamGenerateContent"
                route = r.GEMINI_STREAM if stream else r.GEMINI_GENERATE
        if method != "POST":
            await _error(send, dialect, 405, "Use POST")
            return
        headers = _headers(scope)
        try:
            body = _body(await self._read(receive, headers), route)
            if route is None:  # MLflow's unified invocations: chat or embeddings by shape
                route = r.MLFLOW_INVOKE_EMBEDDINGS if "input" in body else r.MLFLOW_INVOKE_CHAT
            name = endpoint or body.get("model")
            if isinstance(name, str):
                await authorize_use(
                    self.auth,
                    gateway,
                    context,
                    workspace,
                    name.partition("/")[0],
                    self._use_cache,
                )
            caller = context.caller if context else None
            call = Call(
                route=route,
                workspace=workspace,
                body=body,
                endpoint=endpoint,
                traceparent=_text(headers.get(b"traceparent")),
                caller=_caller(headers),
                user=caller.user.username if caller else None,
                user_id=str(caller.user.id) if caller else None,
                key_id=str(caller.token.id) if caller and caller.token else None,
                token=caller.token if caller else None,
                anthropic_headers=tuple(
                    (k.decode(), v.decode("latin-1"))
                    for k, v in headers.items()
                    if k in (b"anthropic-version", b"anthropic-beta")
                ),
                started=started,
                start_ns=start_ns,
                path=raw_path,
            )
            answer = await gateway.invoke(call)
        except GatewayError as exc:
            await _error(send, dialect, exc.status, exc.message, exc.code, exc.headers, started)
            return
        if isinstance(answer, StreamAnswer):
            await _send_stream(send, answer, started)
        else:
            await _send_answer(send, answer, started)

    async def _read(self, receive: Receive, headers: dict[bytes, bytes]) -> bytes:
        """The request body, refused (413) past the size cap."""
        limit = self.max_body_bytes
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise GatewayError(413, f"The request body is larger than {limit} bytes", "too_large")
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise GatewayError(400, "The client went away")
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise GatewayError(
                        413, f"The request body is larger than {limit} bytes", "too_large"
                    )
                parts.append(chunk)
            if not message.get("more_body", False):
                break
        return parts[0] if len(parts) == 1 else b"".join(parts)


def _body(raw: bytes, route: r.Route | None) -> dict[str, Any]:
    """The request body: a JSON object (400 otherwise; a stream asked of a unary route too)."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise GatewayError(400, f"The request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise GatewayError(400, "The request body must be a JSON object")
    if route is r.OPENAI_RESPONSES_COMPACT and body.get("stream"):
        raise GatewayError(400, "stream=true is not supported on /responses/compact (unary)")
    return body


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None


def _timing(started: float, provider_s: float) -> list[tuple[bytes, bytes]]:
    total = time.perf_counter() - started
    overhead = max(total - provider_s, 0.0)
    return [
        (b"x-mlflow-gateway-duration-ms", str(int(total * 1000)).encode()),
        (b"x-mlflow-gateway-overhead-duration-ms", str(int(overhead * 1000)).encode()),
        (b"x-ardea-gateway-overhead-us", str(int(overhead * 1_000_000)).encode()),
    ]


async def _send_bytes(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    start = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})


async def _error(
    send: Send,
    dialect: Dialect,
    status: int,
    message: str,
    code: str | None = None,
    extra: tuple[tuple[bytes, bytes], ...] = (),
    started: float | None = None,
) -> None:
    headers = [_JSON, *extra]
    if started is not None:
        headers += _timing(started, 0.0)
    await _send_bytes(send, status, error_body(dialect, status, message, code), headers)


async def _send_answer(send: Send, answer: Answer, started: float) -> None:
    await _send_bytes(
        send, answer.status, answer.body, [*answer.headers, *_timing(started, answer.provider_s)]
    )


async def _send_stream(send: Send, answer: StreamAnswer, started: float) -> None:
    headers = [*answer.headers, *_timing(started, answer.provider_s)]
    chunks = answer.chunks
    try:
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        async for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()


async def _health_or_404(scope: Scope, receive: Receive, send: Send) -> None:
    """The standalone gateway's only other paths: ``/health``, else 404."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/health":
        await _send_bytes(send, 200, b"OK", [(b"content-type", b"text/plain")])
        return
    await _send_bytes(send, 404, b'{"error": {"message": "Not found"}}', [_JSON])


def gateway_app(gateway: Gateway) -> ASGIApp:
    """The standalone gateway (``ardea gateway``): the gateway's paths, ``/metrics``, ``/health``.

    Requests pass the door (a request id, the workspace ``default``); there is no auth store
    in this mode, so the gateway is open to whoever reaches its address.
    """
    from ardea.server.door import RequestDoor

    routes = RequestDoor(GatewayRoutes(_health_or_404, gateway))

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(gateway, receive, send)
        else:
            await routes(scope, receive, send)

    return app


async def _lifespan(gateway: Gateway, receive: Receive, send: Send) -> None:
    """ASGI lifespan: at shutdown, write the queued traces and close the upstream connections."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            gateway.close()
            from ardea.gateway.http import close_pool

            await close_pool()
            await send({"type": "lifespan.shutdown.complete"})
            return
