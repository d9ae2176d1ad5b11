"""Remote export: gzip'd OTLP/HTTP protobuf to ``<server>/v1/traces``.

Spans go as ``ExportTraceServiceRequest`` bodies (at most ~4 MB each) per experiment and run,
with the ``x-mlflow-experiment-id`` (and ``x-mlflow-run-id``) headers, encoded directly by
:mod:`ardea.tracing.otlp_encode`. What the trace record adds rides on the ROOT span's
attributes: ``mlflow.traceTag.<key>`` (MLflow's convention) for tags,
``mlflow.traceMetadata.<key>`` for metadata, ``mlflow.traceRequestPreview`` /
``mlflow.traceResponsePreview`` for explicit previews (values JSON-encoded like every
``mlflow.*`` attribute); session and user are already the root's ``session.id`` / ``user.id``.
Ardea's ``/v1/traces`` stores that record with the spans, so by default nothing else is sent.
For servers that ignore those attributes (``mlflow server``), ``send_trace_info=True`` also
sends a trace that carries tags, metadata or explicit previews as MLflow's StartTraceV3
record. Plain traces never send a record.

Encoding overlaps sending: the export thread encodes the next batch while up to
``max_in_flight`` requests are on the wire on sender threads. Connection errors, 429 and 5xx
are retried with exponential backoff; after a batch failed to connect, later batches try once
only for a while (the server is down: the bounded queue drops instead of piling up retries).
"""

from __future__ import annotations

import gzip
import random
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import httpx

from ardea._core.errors import UnavailableError, UpstreamError
from ardea.api.mlflow_trace_json import trace_info_to_json
from ardea.tracing import keys
from ardea.tracing._serialize import dumps
from ardea.tracing.convert import trace_info_from_root
from ardea.tracing.exporters import SpanExporter
from ardea.tracing.otlp_encode import DEFAULT_MAX_BYTES, encode_requests

if TYPE_CHECKING:
    from ardea.tracing.processor import SpanRecord

__all__ = ["ExportFailedError", "OtlpHttpExporter", "root_attributes"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DOWN_GRACE_S = 30.0
"""After a connection failure, batches are tried once (no retries) for this many seconds."""
_SERVER_DERIVED_METADATA = frozenset({keys.SCHEMA_VERSION, keys.META_SOURCE_RUN})


class ExportFailedError(UnavailableError):
    """An asynchronous send failed; ``span_count`` spans were lost."""

    def __init__(self, message: str, span_count: int) -> None:
        super().__init__(message)
        self.span_count = span_count


def root_attributes(meta: Any) -> dict[str, str]:
    """The attributes a root span carries for its trace record (tags, metadata, previews).

    Args:
        meta: The trace's :class:`~ardea.tracing.context.TraceMeta`.

    Returns:
        ``mlflow.traceTag.<k>`` / ``mlflow.traceMetadata.<k>`` / preview keys, JSON-encoded.
    """
    out = {keys.TRACE_TAG_PREFIX + k: dumps(v) for k, v in meta.tags.items()}
    for k, v in meta.metadata.items():
        out[keys.TRACE_METADATA_PREFIX + k] = dumps(v)
    if meta.request_preview is not None:
        out[keys.TRACE_REQUEST_PREVIEW] = dumps(meta.request_preview)
    if meta.response_preview is not None:
        out[keys.TRACE_RESPONSE_PREVIEW] = dumps(meta.response_preview)
    return out


def _needs_record(meta: Any) -> bool:
    return bool(
        meta.tags
        or any(k not in _SERVER_DERIVED_METADATA for k in meta.metadata)
        or meta.request_preview is not None
        or meta.response_preview is not None
    )


class OtlpHttpExporter(SpanExporter):
    """Sends spans to an Ardea or MLflow server over OTLP/HTTP (protobuf, gzip).

    Args:
        base_url: The tracking server, ``http(s)://host:port``.
        max_retries: Retries per request on connection errors, 429 and 5xx.
        backoff: First retry delay in seconds (doubles per retry, capped at 5 s).
        timeout: Seconds per request (connect: at most 2 s).
        send_trace_info: Also send StartTraceV3 for finished traces that carry tags,
            metadata or explicit previews. Off by default: Ardea's ``/v1/traces`` reads them
            from the root span; turn it on for servers that ignore the root attributes
            (``mlflow server``).
        max_in_flight: Requests on the wire at once while the next batch is encoded.
        max_request_bytes: Uncompressed size at which a batch is split into more requests.
    """

    def __init__(
        self,
        base_url: str,
        max_retries: int = 4,
        backoff: float = 0.25,
        timeout: float = 10.0,
        send_trace_info: bool = False,
        max_in_flight: int = 2,
        max_request_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        from ardea.store.rest.http import _auth_from_env, _user_agent

        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.backoff = backoff
        self.send_trace_info = send_trace_info
        self.max_in_flight = max(1, max_in_flight)
        self.max_request_bytes = max_request_bytes
        self._down_until = 0.0
        self._pending: deque[tuple[Future[None], int]] = deque()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            auth=_auth_from_env(),
            headers={"User-Agent": _user_agent()},
            limits=httpx.Limits(max_connections=self.max_in_flight + 2),
        )

    def export(self, records: Sequence[SpanRecord]) -> None:
        """Encode the batch and hand its requests to the sender threads.

        Raises:
            ExportFailedError: An earlier batch's send failed (raised here, the next time
                the export thread is free to notice).
        """
        groups: dict[tuple[str, str], list[Any]] = {}
        extra: dict[int, dict[str, str]] = {}
        infos = []
        for record in records:
            meta = record.meta
            groups.setdefault((meta.experiment_id or "0", meta.run_id or ""), []).append(
                record.span
            )
            if record.is_root:
                attrs = root_attributes(meta)
                if attrs:
                    extra[record.span.context.span_id] = attrs
                if self.send_trace_info and _needs_record(meta):
                    infos.append(trace_info_from_root(record.span, meta, meta.experiment_id or "0"))
        requests = []
        for (experiment_id, run_id), spans in groups.items():
            headers = {
                "Content-Type": "application/x-protobuf",
                "Content-Encoding": "gzip",
                "x-mlflow-experiment-id": experiment_id,
            }
            if run_id:
                headers["x-mlflow-run-id"] = run_id
            for raw in encode_requests(spans, extra, self.max_request_bytes):
                requests.append((gzip.compress(raw, compresslevel=1), headers))
        error: BaseException | None = None
        while len(self._pending) >= self.max_in_flight:
            error = self._wait_oldest() or error
        future = self._executor().submit(self._send, requests, infos)
        self._pending.append((future, len(records)))
        if error is not None:
            raise error

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.max_in_flight, thread_name_prefix="ardea-otlp-send"
                )
            return self._pool

    def _wait_oldest(self) -> BaseException | None:
        try:
            future, count = self._pending.popleft()
        except IndexError:  # drained meanwhile by close() on another thread
            return None
        return self._outcome(future, count)

    @staticmethod
    def _outcome(future: Future[None], count: int) -> BaseException | None:
        try:
            future.result()
        except Exception as exc:
            return ExportFailedError(str(exc), count).with_traceback(exc.__traceback__)
        return None

    def drain(self) -> None:
        """Wait until every request handed to the senders finished.

        Raises:
            ExportFailedError: A send failed (the first failure; ``span_count`` sums all).
        """
        first: BaseException | None = None
        lost = 0
        while True:
            try:
                future, count = self._pending.popleft()
            except IndexError:
                break
            error = self._outcome(future, count)
            if error is not None:
                lost += count
                first = first or error
        if first is not None:
            raise ExportFailedError(str(first), lost) from first

    def _send(self, requests: list[tuple[bytes, dict[str, str]]], infos: list[Any]) -> None:
        for body, headers in requests:
            self._post("/v1/traces", content=body, headers=headers)
        for info in infos:
            self._post(
                "/api/3.0/mlflow/traces",
                json={"trace": {"trace_info": trace_info_to_json(info)}},
                tolerate=(404, 501),
            )

    def _post(
        self,
        path: str,
        *,
        content: bytes | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        tolerate: tuple[int, ...] = (),
    ) -> None:
        retries = 0 if time.monotonic() < self._down_until else self.max_retries
        attempt = 0
        while True:
            try:
                response = self._http.post(path, content=content, json=json, headers=headers)
            except httpx.TransportError as exc:
                if attempt >= retries:
                    self._down_until = time.monotonic() + DOWN_GRACE_S
                    raise UnavailableError(
                        f"Could not reach {self.base_url}{path} ({type(exc).__name__}: {exc})"
                    ) from exc
            else:
                status = response.status_code
                if status < 400 or status in tolerate:
                    self._down_until = 0.0
                    return
                if status not in RETRY_STATUSES or attempt >= retries:
                    raise UpstreamError(
                        f"{self.base_url}{path} answered {status}: {response.text[:500]}"
                    )
            delay = min(5.0, self.backoff * (2**attempt)) * random.uniform(0.5, 1.5)
            time.sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Wait for in-flight requests, then close the connection pool and sender threads."""
        try:
            self.drain()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
            self._http.close()
