"""OTLP/gRPC trace ingest: ``TraceService/Export`` beside OTLP/HTTP's ``POST /v1/traces``.

``ardea server --otlp-grpc-port 4317`` starts a ``grpc.aio`` server on the app's own event
loop (in its lifespan; stopped with it, in-flight calls finishing within a grace period). This
module is imported only then: ``import ardea.server.app`` never loads ``grpcio``.

One ingest path, two transports. Each ``Export`` call is handed to the app itself as the
request ``POST /v1/traces`` would be (an in-process ASGI call, no socket): its message bytes
are the body (``application/x-protobuf``), and its metadata are the headers
(``x-mlflow-experiment-id``, ``x-mlflow-run-id``, ``x-mlflow-workspace``, ``authorization``,
...). So the request passes the one door (:mod:`ardea.server.door`: authentication,
workspace) and the OTLP route's access rule, parser and store write, exactly as over HTTP. Only
the Host allow-list is skipped (:data:`GRPC_SCOPE_KEY`): it guards browsers against DNS
rebinding, and no browser speaks gRPC.

The route's answer becomes the call's status (:func:`grpc_status`): 200 is ``OK`` with an
empty ``ExportTraceServiceResponse``; 400 and 422 (an undecodable message, no spans, a span
that cannot be converted, no experiment named) are ``INVALID_ARGUMENT``; 401
``UNAUTHENTICATED``; 403 ``PERMISSION_DENIED``; 404 (unknown experiment, run or workspace)
``NOT_FOUND``; 413 and 429 ``RESOURCE_EXHAUSTED``; 501 ``UNIMPLEMENTED``; 503
``UNAVAILABLE``; anything else ``INTERNAL``. The message is the route's error message. A
message larger than ``ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES`` (default: the HTTP body limit) is
refused by gRPC itself with ``RESOURCE_EXHAUSTED`` before it is read. As over HTTP, an export
is all or nothing: a refused one stores nothing, so OTLP's ``partial_success`` is never set.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import grpc
import grpc.aio
import orjson

from ardea._core import env
from ardea.server.security import GRPC_BRIDGE

__all__ = [
    "EXPORT_METHOD",
    "GRPC_SCOPE_KEY",
    "SERVICE_NAME",
    "OtlpGrpcReceiver",
    "grpc_status",
    "max_message_bytes",
]

SERVICE_NAME = "opentelemetry.proto.collector.trace.v1.TraceService"
"""The OTLP trace service (``opentelemetry/proto/collector/trace/v1/trace_service.proto``)."""
EXPORT_METHOD = f"/{SERVICE_NAME}/Export"
"""The full method name the OTLP gRPC exporters call."""
GRPC_SCOPE_KEY = GRPC_BRIDGE
"""ASGI scope key marking a request bridged from the gRPC receiver (no HTTP client can set a
scope key); :class:`~ardea.server.security.SecurityMiddleware` skips its Host check for it."""
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""The default largest message: ``MAX_OTLP_BODY_BYTES`` of the HTTP route."""
OTLP_PATH = "/v1/traces"
GRACE_SECONDS = 5.0
"""How long a stopping server lets in-flight exports finish."""

_STATUS: dict[int, grpc.StatusCode] = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    501: grpc.StatusCode.UNIMPLEMENTED,
    503: grpc.StatusCode.UNAVAILABLE,
}
# Headers the bridge sets itself, or that mean something else (or nothing) in gRPC metadata.
_DROPPED = frozenset(
    {"content-type", "content-length", "content-encoding", "host", "te", "cookie", "user-agent"}
)
_log = logging.getLogger(__name__)

ASGIApp = Callable[..., Any]


def grpc_status(http_status: int) -> grpc.StatusCode:
    """The gRPC status of the OTLP route's HTTP status (see the module docstring)."""
    if 200 <= http_status < 300:
        return grpc.StatusCode.OK
    return _STATUS.get(http_status, grpc.StatusCode.INTERNAL)


def max_message_bytes() -> int:
    """``ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES``, else :data:`DEFAULT_MAX_MESSAGE_BYTES`.

    Raises:
        ValueError: The variable is set but not a positive integer.
    """
    raw = (env.get(env.ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES) or "").strip()
    if not raw:
        return DEFAULT_MAX_MESSAGE_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(
            f"{env.ARDEA_OTLP_GRPC_MAX_MESSAGE_BYTES} must be a positive number of bytes, "
            f"not {raw!r}"
        )
    return int(raw)


def _headers(metadata: Any, size: int) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-type", b"application/x-protobuf"),
        (b"content-length", str(size).encode()),
        (b"host", b"otlp-grpc"),
    ]
    for key, value in metadata or ():
        if key.startswith((":", "grpc-")) or key in _DROPPED or key.endswith("-bin"):
            continue
        if isinstance(value, str):
            try:
                headers.append((key.encode("latin-1"), value.encode("latin-1")))
            except UnicodeEncodeError:
                continue  # not an HTTP header value either
    return headers


def _peer(peer: str) -> tuple[str, int] | None:
    """``ipv4:127.0.0.1:5000`` / ``ipv6:[::1]:5000`` as ASGI's ``client`` pair."""
    _, _, address = peer.partition(":")
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


class _Answer:
    """What the app sent back for one bridged request."""

    __slots__ = ("body", "status")

    def __init__(self) -> None:
        self.status = 500
        self.body = bytearray()

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    def message(self) -> str:
        try:
            decoded = orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return bytes(self.body[:500]).decode("utf-8", "replace") or f"HTTP {self.status}"
        if isinstance(decoded, dict) and isinstance(decoded.get("message"), str):
            return str(decoded["message"])
        return f"HTTP {self.status}"


class OtlpGrpcReceiver:
    """A running OTLP/gRPC server that hands each ``Export`` to the app's OTLP route.

    Args:
        app: The server's ASGI app (its outermost middleware: the door).
        server_address: ``(host, port)`` the app's HTTP side listens on (ASGI ``server``).
    """

    def __init__(self, app: ASGIApp, server_address: tuple[str, int]) -> None:
        self._app = app
        self._server_address = server_address
        self._server: grpc.aio.Server | None = None
        self.port = 0

    async def start(
        self, host: str, port: int, max_message: int | None = None, *, shared: bool = False
    ) -> int:
        """Listen on ``host:port`` (``0``: any free port) and serve; returns the bound port.

        Args:
            host: The interface.
            port: The port.
            max_message: Largest message accepted (default: :func:`max_message_bytes`).
            shared: Several server processes (``--workers``) bind the same port, and the
                kernel spreads connections over them (``SO_REUSEPORT``); otherwise a port
                already in use is an error.

        Raises:
            RuntimeError: The port cannot be bound.
        """
        limit = max_message_bytes() if max_message is None else max_message
        server = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", limit),
                ("grpc.so_reuseport", 1 if shared else 0),
            ]
        )
        handler: grpc.RpcMethodHandler[bytes, bytes] = grpc.unary_unary_rpc_method_handler(
            self._export  # raw bytes in and out: the route parses the message
        )
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(SERVICE_NAME, {"Export": handler}),)
        )
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        bound = server.add_insecure_port(address)
        if not bound:
            raise RuntimeError(f"cannot listen for OTLP/gRPC on {address}")
        await server.start()
        self._server = server
        self.port = bound
        return bound

    async def stop(self, grace: float = GRACE_SECONDS) -> None:
        """Stop accepting calls; in-flight ones get ``grace`` seconds to finish."""
        if self._server is not None:
            await self._server.stop(grace)
            self._server = None

    async def _export(self, request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
        answer = await self.forward(request, context.invocation_metadata(), context.peer())
        code = grpc_status(answer.status)
        if code is not grpc.StatusCode.OK:
            await context.abort(code, answer.message())
        return b""  # an empty ExportTraceServiceResponse

    async def forward(self, body: bytes, metadata: Any, peer: str = "") -> _Answer:
        """Serve one export as ``POST /v1/traces`` through the whole app; its answer."""
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "2",
            "method": "POST",
            "scheme": "http",
            "path": OTLP_PATH,
            "raw_path": OTLP_PATH.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": _headers(metadata, len(body)),
            "client": _peer(peer),
            "server": self._server_address,
            GRPC_SCOPE_KEY: True,
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # no disconnect: the call lasts until answered
            raise AssertionError("unreachable")  # pragma: no cover

        answer = _Answer()
        await self._app(scope, receive, answer.send)
        return answer
