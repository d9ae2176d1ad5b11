"""The scoring server: one loaded model behind MLflow's ``/invocations`` protocol (FastAPI).

Routes: ``POST /invocations`` (JSON or CSV in, ``{"predictions": ...}`` out, or Server-Sent
Events when the JSON body has ``"stream": true``), ``GET /ping`` and ``/health`` (200 once
the model is loaded), ``/version`` (Ardea's version) and ``/metrics`` (Prometheus).
Bad input is a 4xx with MLflow's error body ``{"error_code": "BAD_REQUEST", "message": ...}``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ardea._core.env import (
    ARDEA_SERVE_BATCH_WINDOW_MS,
    ARDEA_SERVE_BATCHING,
    ARDEA_SERVE_MAX_BODY_BYTES,
    ARDEA_SERVE_MODEL_URI,
    ARDEA_SERVE_TRACE_EXPERIMENT,
)
from ardea._core.errors import ArdeaError
from ardea._core.version import __version__
from ardea.models._pyfunc_model import PyFuncModel
from ardea.models.serving._batch import Batcher
from ardea.models.serving._formats import (
    ParsedRequest,
    parse_csv,
    parse_json,
    to_json,
    to_jsonable,
)

__all__ = [
    "BATCHING_CHOICES",
    "DEFAULT_MAX_BODY_BYTES",
    "ROW_WISE_FLAVORS",
    "app_from_env",
    "batching_default",
    "create_app",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest ``/invocations`` body accepted by default (64 MiB); larger ones get a 413."""

_CONTENT_TYPES = ("application/json", "text/csv")

BATCHING_CHOICES: dict[str, bool | None] = {"auto": None, "on": True, "off": False}
"""``--batching`` / ``ARDEA_SERVE_BATCHING`` values: auto batches row-wise flavours."""


class _BadRequest(Exception):
    """A request refused with ``status`` and MLflow's error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error_code": "BAD_REQUEST", "message": message}, status_code=status)


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise _BadRequest(413, f"The request body is larger than the limit of {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _BadRequest(400, "The client went away before sending the whole body.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BadRequest(413, f"The request body is larger than the limit of {limit} bytes.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _header(scope: Scope, wanted: bytes) -> str:
    for name, value in scope["headers"]:
        if name == wanted:
            return str(value.decode("latin-1"))
    return ""


def _parse(content_type: str, body: bytes, model: PyFuncModel) -> ParsedRequest:
    mime, *parameters = (part.strip() for part in content_type.split(";"))
    options = dict(part.partition("=")[::2] for part in parameters if part)
    charset = options.pop("charset", "utf-8").strip('"').lower()
    if charset not in ("utf-8", "utf8"):
        raise _BadRequest(415, f"Only UTF-8 request bodies are supported, not {charset!r}.")
    if options:
        raise _BadRequest(415, f"Unknown content type parameters: {sorted(options)}.")
    if mime.lower() == "application/json":
        return parse_json(body, model.signature)
    if mime.lower() == "text/csv":
        return parse_csv(body)
    raise _BadRequest(
        415, f"Content type must be one of {list(_CONTENT_TYPES)}, got {content_type!r}."
    )


def _predict(model: PyFuncModel, data: Any) -> Any:
    try:
        return model.predict(data)
    except ArdeaError:
        raise
    except Exception as exc:  # the model's own failure: the client sent what it cannot score
        log.warning("The model failed on a request", exc_info=True)
        raise _BadRequest(
            400,
            "Encountered an unexpected error while evaluating the model; check that the "
            f"input fits it. {type(exc).__name__}: {str(exc)[:500]}",
        ) from None


def _sse(chunks: Iterator[Any]) -> Iterator[str]:
    try:
        for chunk in chunks:
            yield f"data: {to_json(chunk)}\n\n"
    except Exception as exc:
        log.warning("The model failed while streaming", exc_info=True)
        message = str(exc)[:500] if isinstance(exc, ArdeaError) else type(exc).__name__
        body = to_json({"error_code": "BAD_REQUEST", "message": message})
        yield f"event: error\ndata: {body}\n\n"
        return
    yield "data: [DONE]\n\n"


class _Metrics:
    """Prometheus request counts and latencies, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ardea_model_requests",
            "Scoring server requests by route and status code.",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ardea_model_request_duration_seconds",
            "Time to the response's start, by route.",
            ["route"],
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "ardea_model_batch_requests",
            "Requests scored together by one model call of the batching window.",
            buckets=(2, 4, 8, 16, 32, 64, 128),
            registry=self.registry,
        )


@contextlib.asynccontextmanager
async def _flush_traces_on_exit(app: FastAPI) -> AsyncIterator[None]:
    """Export the traces still buffered when the server stops."""
    yield
    from ardea.tracing import flush

    await run_in_threadpool(flush)


class _Scorer:
    """Predicts for one request: batched when on, traced when asked."""

    def __init__(
        self, model: PyFuncModel, metrics: _Metrics, batching: bool, window_s: float, trace: bool
    ) -> None:
        self.model = model
        self.trace = trace
        self.batcher = None
        if batching:
            self.batcher = Batcher(
                lambda data: _predict(model, data), window_s, on_batch=metrics.batch_size.observe
            )

    async def _predict(self, parsed: ParsedRequest) -> Any:
        if self.batcher is not None and (parsed.split is not None or _is_frame(parsed.data)):
            return await self.batcher.predict(parsed)
        return await run_in_threadpool(_predict, self.model, parsed.data)

    async def score(self, parsed: ParsedRequest) -> Any:
        """The model's predictions for the request."""
        if not self.trace:
            return await self._predict(parsed)
        from ardea.tracing import start_span

        with start_span("invocations", span_type="CHAIN") as span:
            span.set_inputs(to_jsonable(parsed.data))
            predictions = await self._predict(parsed)
            span.set_outputs(to_jsonable(predictions))
        return predictions


ROW_WISE_FLAVORS = frozenset({"sklearn", "xgboost", "lightgbm"})
"""Flavours whose predictions are row by row, so batching requests cannot change them."""


def batching_default(model: PyFuncModel) -> bool:
    """Whether ``--batching auto`` batches this model (a row-wise flavour)."""
    return bool(ROW_WISE_FLAVORS & set(model.metadata.flavors))


class _Door:
    """Pure ASGI in front of the FastAPI app.

    Every request is counted, and ``POST /invocations`` (the hot path) is answered here,
    without the router.
    """

    def __init__(
        self,
        app: ASGIApp,
        invocations: Callable[[Scope, Receive], Awaitable[Response]],
        metrics: _Metrics,
    ) -> None:
        self.app = app
        self.invocations = invocations
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        path = scope["path"]
        route = path if path in _ROUTES else "other"
        status = 500

        async def counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self.metrics.latency.labels(route).observe(time.perf_counter() - start)
            await send(message)

        try:
            if path == "/invocations" and scope["method"] == "POST":
                response = await self.invocations(scope, receive)
                await response(scope, receive, counted)
            else:
                await self.app(scope, receive, counted)
        finally:
            self.metrics.requests.labels(route, str(status)).inc()


_ROUTES = frozenset({"/invocations", "/ping", "/health", "/version", "/metrics"})


def _is_frame(data: Any) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(data, pd.DataFrame)


def create_app(
    model: PyFuncModel,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    batching: bool | None = None,
    batch_window_ms: float = 0,
    trace: bool = False,
) -> FastAPI:
    """The scoring server's ASGI app for one loaded model.

    Args:
        model: The model to serve (from :func:`ardea.pyfunc.load_model`).
        max_body_bytes: ``/invocations`` bodies larger than this get a 413.
        batching: Score DataFrame requests that arrive together with one model call (see
            :mod:`ardea.models.serving._batch`). None: on for row-wise flavours
            (:data:`ROW_WISE_FLAVORS`), or when ``batch_window_ms`` is above 0.
        batch_window_ms: How long the first request of a batch waits for others.
        trace: Record each ``/invocations`` request as a trace (a ``CHAIN`` span with the
            model input and predictions) in the active experiment.
    """
    app = FastAPI(
        title="Ardea model server",
        version=__version__,
        openapi_url=None,
        lifespan=_flush_traces_on_exit if trace else None,
    )
    if batching is None:
        batching = batch_window_ms > 0 or batching_default(model)
    metrics = _Metrics()
    scorer = _Scorer(model, metrics, batching, batch_window_ms / 1000, trace)

    async def invocations(scope: Scope, receive: Receive) -> Response:
        """Score one request (see the module docstring)."""
        try:
            body = await _read_body(scope, receive, max_body_bytes)
            parsed = _parse(_header(scope, b"content-type"), body, model)
            if parsed.params:
                log.warning("Ignoring params %s: Ardea models take none.", sorted(parsed.params))
            if parsed.stream:
                # Started (and the input checked) before the 200 goes out: bad input is a 400.
                chunks = await run_in_threadpool(model.predict_stream, parsed.data)
                events = iterate_in_threadpool(_sse(chunks))
                return StreamingResponse(events, media_type="text/event-stream")
            predictions = await scorer.score(parsed)
        except _BadRequest as exc:
            return _error(exc.status, exc.message)
        except ArdeaError as exc:
            return _error(400, exc.message)
        answer = predictions if parsed.unwrapped else {"predictions": to_jsonable(predictions)}
        return Response(to_json(answer), media_type="application/json")

    app.add_middleware(_Door, invocations=invocations, metrics=metrics)

    @app.get("/ping")
    @app.get("/health")
    async def ping() -> Response:
        """200 while the model is loaded (it is, once the app exists)."""
        return Response("\n", media_type="application/json")

    @app.get("/version")
    async def version() -> Response:
        """Ardea's version, as plain text."""
        return PlainTextResponse(__version__)

    @app.get("/metrics")
    async def prometheus() -> Response:
        """Request counts and latencies in the Prometheus text format."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/invocations")
    async def invocations_route(request: Request) -> Response:
        """Documents the route (and keeps its 405 for other methods); ``_Door`` answers it."""
        return await invocations(request.scope, request.receive)

    return app


def app_from_env() -> FastAPI:
    """The app for the model at ``ARDEA_SERVE_MODEL_URI`` (uvicorn's factory, per worker)."""
    from ardea.models.pyfunc import load_model

    uri = os.environ.get(ARDEA_SERVE_MODEL_URI)
    if not uri:
        raise RuntimeError(f"{ARDEA_SERVE_MODEL_URI} must name the model to serve.")
    limit = int(os.environ.get(ARDEA_SERVE_MAX_BODY_BYTES) or DEFAULT_MAX_BODY_BYTES)
    window = float(os.environ.get(ARDEA_SERVE_BATCH_WINDOW_MS) or 0)
    batching = BATCHING_CHOICES[os.environ.get(ARDEA_SERVE_BATCHING, "auto").strip().lower()]
    experiment = os.environ.get(ARDEA_SERVE_TRACE_EXPERIMENT)
    if experiment:
        from ardea.fluent import set_experiment

        set_experiment(experiment)
    model = load_model(uri)
    return create_app(
        model,
        max_body_bytes=limit,
        batching=batching,
        batch_window_ms=window,
        trace=bool(experiment),
    )
