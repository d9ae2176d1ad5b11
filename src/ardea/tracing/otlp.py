"""Remote export: gzip'd OTLP/HTTP protobuf to ``<server>/v1/traces``, then the trace record.

Spans go as one ``ExportTraceServiceRequest`` per experiment and batch, with the
``x-mlflow-experiment-id`` header MLflow servers require. When a batch holds a root span, the
finished trace record follows as MLflow's StartTraceV3 (``POST /api/3.0/mlflow/traces``) so
tags, metadata, session, user, previews and the run link reach the server as the ``mlflow``
client sends them. Connection errors, 429 and 5xx are retried with exponential backoff; after
a batch failed to connect, later batches try once only for a while (the server is down: the
bounded queue drops instead of piling up retries).
"""

from __future__ import annotations

import gzip
import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

from ardea._core.errors import UnavailableError, UpstreamError
from ardea.api.mlflow_trace_json import trace_info_to_json
from ardea.tracing.convert import trace_info_from_root
from ardea.tracing.exporters import SpanExporter

if TYPE_CHECKING:
    from ardea.tracing.processor import SpanRecord

__all__ = ["OtlpHttpExporter"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DOWN_GRACE_S = 30.0
"""After a connection failure, batches are tried once (no retries) for this many seconds."""


class OtlpHttpExporter(SpanExporter):
    """Sends spans to an Ardea or MLflow server over OTLP/HTTP (protobuf, gzip).

    Args:
        base_url: The tracking server, ``http(s)://host:port``.
        max_retries: Retries per request on connection errors, 429 and 5xx.
        backoff: First retry delay in seconds (doubles per retry, capped at 5 s).
        timeout: Seconds per request (connect: at most 2 s).
        send_trace_info: Also send the finished trace record (StartTraceV3) for root spans.
    """

    def __init__(
        self,
        base_url: str,
        max_retries: int = 4,
        backoff: float = 0.25,
        timeout: float = 10.0,
        send_trace_info: bool = True,
    ) -> None:
        from ardea.store.rest.http import _auth_from_env, _user_agent

        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.backoff = backoff
        self.send_trace_info = send_trace_info
        self._down_until = 0.0
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            auth=_auth_from_env(),
            headers={"User-Agent": _user_agent()},
        )

    def export(self, records: Sequence[SpanRecord]) -> None:
        """POST the batch (one request per experiment), then the finished traces' records."""
        by_experiment: dict[str, list[Any]] = {}
        for record in records:
            exp = record.meta.experiment_id or "0"
            by_experiment.setdefault(exp, []).append(record.span)
        for experiment_id, spans in by_experiment.items():
            body = gzip.compress(encode_spans(spans).SerializeToString(), compresslevel=5)
            headers = {
                "Content-Type": "application/x-protobuf",
                "Content-Encoding": "gzip",
                "x-mlflow-experiment-id": experiment_id,
            }
            self._post("/v1/traces", content=body, headers=headers)
        if not self.send_trace_info:
            return
        for record in records:
            if record.is_root:
                info = trace_info_from_root(
                    record.span, record.meta, record.meta.experiment_id or "0"
                )
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
        """Close the connection pool."""
        self._http.close()
