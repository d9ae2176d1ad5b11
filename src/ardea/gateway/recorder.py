"""Request traces, written off the request path in batches through a bounded queue.

The request path calls :meth:`TraceRecorder.record` (a ``put_nowait``, nothing else). A
daemon thread takes up to ``batch_size`` records at a time, turns each into a trace (one
root span of type ``LLM`` with usage and cost, MLflow's ``mlflow.gateway.*`` metadata), and
writes each experiment's traces in one ``log_new_traces_async`` call (whole new traces: one
plain multi-row insert per table on SQL stores). When the queue is full (the store is slow
or down) a record is dropped and counted; when a write fails its whole batch is dropped and
counted. Requests never wait on the store. Before each batch is written, ``on_batch`` (if given)
sees its records: the seam for the usage roll-up, which counts requests whose traces are
dropped too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ardea.entities.trace import Span, TraceInfo, TraceState
from ardea.store.traces import TraceStore

__all__ = ["GatewayRecord", "TraceRecorder", "trace_parent"]

_log = logging.getLogger(__name__)


@dataclass(slots=True)
class GatewayRecord:
    """What one gateway request leaves behind.

    Attributes:
        experiment_id: The endpoint's experiment.
        endpoint_id: The endpoint's id.
        endpoint: The endpoint's name.
        request_type: MLflow's request type (``unified/chat``, ``passthrough/model/...``).
        caller: ``X-MLflow-Gateway-Caller``, else the User-Agent's product token.
        user: The authenticated user's name, if any.
        user_id: The authenticated user's id, if any.
        key_id: The API key (token) id, if the caller used one.
        provider: The provider of the target that answered (or was tried last).
        model: Its model.
        start_ns: Wall-clock start (epoch ns).
        end_ns: Wall-clock end (epoch ns).
        status: The HTTP status answered.
        error: The error message, if any.
        stream: Whether the answer was streamed.
        ttft_ms: Time to the first chunk (streams), ms.
        input_tokens: Prompt tokens.
        output_tokens: Completion tokens.
        cost: USD cost, None when unpriced.
        cache_hit: Served from the response cache.
        attempts: Targets tried (1 + fallbacks).
        overhead_ms: The gateway's own time.
        request: The request body (kept as the span's inputs).
        response: The answer (non-streamed), else None.
        parent: ``(trace id hex, span id hex)`` from the caller's ``traceparent``.
        attributes: More span attributes: the limits', budgets' and guardrails' decisions.
        workspace: The endpoint's workspace (the usage rollup's key).
        trace_id: The trace's id when the request path chose it (``X-Ardea-Trace-Id``),
            else ``""``: a new one is made.
    """

    experiment_id: str
    endpoint_id: str
    endpoint: str
    request_type: str
    caller: str | None
    user: str | None
    user_id: str | None
    key_id: str | None
    provider: str
    model: str
    start_ns: int
    end_ns: int
    status: int
    error: str | None = None
    stream: bool = False
    ttft_ms: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    cache_hit: bool = False
    attempts: int = 1
    overhead_ms: float = 0.0
    request: Any = None
    response: Any = None
    parent: tuple[str, str] | None = field(default=None)
    attributes: dict[str, object] = field(default_factory=dict)
    workspace: str = "default"
    trace_id: str = ""


def trace_parent(value: str | None) -> tuple[str, str] | None:
    """``(trace id, parent span id)`` of a W3C ``traceparent`` header, or None if invalid."""
    if not value:
        return None
    parts = value.strip().split("-")
    if len(parts) < 4 or len(parts[1]) != 32 or len(parts[2]) != 16:
        return None
    trace_id, span_id = parts[1].lower(), parts[2].lower()
    try:
        int(trace_id, 16), int(span_id, 16)
    except ValueError:
        return None
    if trace_id == "0" * 32 or span_id == "0" * 16:
        return None
    return trace_id, span_id


def _to_trace(record: GatewayRecord) -> tuple[TraceInfo, Span, Span | None]:
    """The trace record, its one span, and the mirror span under the caller's trace.

    As MLflow's gateway: the full trace (with payloads) is the gateway's own, in the
    endpoint's experiment; when the caller sent a ``traceparent``, a summary span
    ``gateway/<endpoint>`` joins the caller's trace as a child of the caller's span, with
    ``mlflow.gateway.linkedTraceId`` naming the gateway's trace.
    """
    trace_id = record.trace_id or "tr-" + os.urandom(16).hex()
    ok = record.status < 400
    usage = {
        "input_tokens": record.input_tokens,
        "output_tokens": record.output_tokens,
        "total_tokens": record.input_tokens + record.output_tokens,
    }
    attributes: dict[str, Any] = {
        "mlflow.spanType": "LLM",
        "mlflow.spanInputs": record.request,
        "mlflow.llm.model": record.model,
        "mlflow.llm.provider": record.provider,
        "mlflow.chat.tokenUsage": usage,
        "gen_ai.request.model": record.model,
        "gen_ai.system": record.provider,
        "ardea.gateway.endpoint": record.endpoint,
        "ardea.gateway.status": record.status,
        "ardea.gateway.stream": record.stream,
        "ardea.gateway.cache_hit": record.cache_hit,
        "ardea.gateway.attempts": record.attempts,
        "ardea.gateway.overhead_ms": round(record.overhead_ms, 3),
    }
    if record.response is not None:
        attributes["mlflow.spanOutputs"] = record.response
    if record.cost is not None:
        attributes["mlflow.llm.cost"] = {"total_cost": record.cost}
    if record.ttft_ms is not None:
        attributes["ardea.gateway.ttft_ms"] = round(record.ttft_ms, 3)
    if record.user:
        attributes["user.id"] = record.user
    if record.attributes:
        attributes.update(record.attributes)
    span = Span(
        trace_id=trace_id,
        span_id=os.urandom(8).hex(),
        parent_span_id=None,
        name=f"gateway/{record.endpoint}",
        span_type="LLM",
        status_code="OK" if ok else "ERROR",
        status_message=record.error or "",
        start_time_ns=record.start_ns,
        end_time_ns=record.end_ns,
        attributes=attributes,
        kind="SERVER",
    )
    metadata = {
        "mlflow.gateway.endpointId": record.endpoint_id,
        "mlflow.gateway.requestType": record.request_type,
        "mlflow.trace_schema.version": "3",
        "mlflow.trace.tokenUsage": _json(usage),
        "ardea.gateway.provider": record.provider,
        "ardea.gateway.model": record.model,
        "ardea.gateway.cacheHit": "true" if record.cache_hit else "false",
        "ardea.gateway.attempts": str(record.attempts),
        "ardea.gateway.latencyMs": f"{(record.end_ns - record.start_ns) / 1e6:.3f}",
    }
    if record.cost is not None:
        metadata["mlflow.trace.cost"] = _json({"total_cost": record.cost})
    if record.ttft_ms is not None:
        metadata["ardea.gateway.ttftMs"] = f"{record.ttft_ms:.3f}"
    if record.caller:
        metadata["mlflow.gateway.caller"] = record.caller
    if record.user:
        metadata["mlflow.auth.username"] = record.user
    if record.user_id:
        metadata["mlflow.auth.userId"] = record.user_id
    if record.key_id:
        metadata["ardea.gateway.keyId"] = record.key_id
    mirror = None
    if record.parent is not None:
        caller_trace, caller_span = record.parent
        metadata["ardea.gateway.callerTraceId"] = "tr-" + caller_trace
        mirror = Span(
            trace_id="tr-" + caller_trace,
            span_id=os.urandom(8).hex(),
            parent_span_id=caller_span,
            name=span.name,
            span_type="LLM",
            status_code=span.status_code,
            status_message=span.status_message,
            start_time_ns=record.start_ns,
            end_time_ns=record.end_ns,
            attributes={
                "mlflow.spanType": "LLM",
                "mlflow.gateway.linkedTraceId": trace_id,
                "mlflow.llm.model": record.model,
                "mlflow.llm.provider": record.provider,
                "mlflow.chat.tokenUsage": usage,
                "ardea.gateway.endpoint": record.endpoint,
            },
            kind="CLIENT",
        )
    info = TraceInfo(
        trace_id=trace_id,
        experiment_id=record.experiment_id,
        request_time=record.start_ns // 1_000_000,
        execution_duration=(record.end_ns - record.start_ns) // 1_000_000,
        state=TraceState.OK.value if ok else TraceState.ERROR.value,
        trace_metadata=metadata,
        tags={"mlflow.traceName": span.name},
    )
    return info, span, mirror


def _json(value: Any) -> str:
    import orjson

    return orjson.dumps(value).decode()


class TraceRecorder:
    """A bounded queue of :class:`GatewayRecord` and the thread that writes them.

    Args:
        store: Where traces go.
        max_queue: Records waiting at most; more are dropped (counted).
        batch_size: Records per write.
        linger_s: How long a batch waits for more records before it is written (fewer,
            larger transactions: the store's cost per trace drops several-fold).
        on_drop: Called with ``(reason, count)`` for every drop (the metrics counter).
        on_write: Called with the count of every batch written.
        on_batch: Called on the writer thread with every batch before its traces are written
            (the usage rollup, :mod:`ardea.gateway.usage_rollup`: usage counts even when the
            traces are dropped); an exception it raises is logged and does not stop the writer.
        store_for: The trace store of a workspace (a record's ``workspace``): an endpoint's
            experiment lives in its own workspace. None: ``store`` for every record.
    """

    def __init__(
        self,
        store: TraceStore,
        *,
        max_queue: int = 10_000,
        batch_size: int = 256,
        linger_s: float = 0.2,
        on_drop: Callable[[str, int], None] | None = None,
        on_write: Callable[[int], None] | None = None,
        on_batch: Callable[[list[GatewayRecord]], None] | None = None,
        store_for: Callable[[str], TraceStore] | None = None,
    ) -> None:
        self.store = store
        self._store_for = store_for
        self.batch_size = batch_size
        self.linger_s = linger_s
        self._queue: queue.Queue[GatewayRecord | None] = queue.Queue(max_queue)
        self._on_drop = on_drop
        self._on_write = on_write
        self._on_batch = on_batch
        self.dropped = 0
        self.written = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="ardea-gateway-traces", daemon=True
                )
                self._thread.start()

    def record(self, record: GatewayRecord) -> None:
        """Queue ``record`` (never blocks: a full queue drops it)."""
        if self._thread is None:
            self._start()
        try:
            self._idle.clear()
            self._queue.put_nowait(record)
        except queue.Full:
            self._drop("queue_full", 1)

    def _drop(self, reason: str, count: int) -> None:
        self.dropped += count
        if self._on_drop is not None:
            self._on_drop(reason, count)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()  # the store's async writes, on this thread
        try:
            self._drain()
        finally:
            self._loop.close()

    def _drain(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            until = time.monotonic() + self.linger_s
            while len(batch) < self.batch_size:
                wait = until - time.monotonic()
                try:
                    item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._write(batch)
                    return
                batch.append(item)
            self._write(batch)
            if self._queue.empty():
                self._idle.set()

    def _write(self, batch: list[GatewayRecord]) -> None:
        if self._on_batch is not None:
            try:
                self._on_batch(batch)
            except Exception:
                _log.exception("gateway: the batch hook failed")
        by_experiment: dict[tuple[str, str], list[tuple[TraceInfo, Span, Span | None]]]
        by_experiment = defaultdict(list)
        for record in batch:
            by_experiment[record.workspace, record.experiment_id].append(_to_trace(record))
        for (workspace, experiment_id), traces in by_experiment.items():
            spans = [span for _, span, _ in traces]
            infos = [info for info, _, _ in traces]
            try:  # one write transaction per batch and experiment (on SQL stores)
                assert self._loop is not None
                store = self._store_for(workspace) if self._store_for else self.store
                self._loop.run_until_complete(
                    store.log_new_traces_async(experiment_id, spans, infos)
                )
            except Exception as exc:
                _log.warning("gateway: dropped %d request traces: %s", len(traces), exc)
                self._drop("store_error", len(traces))
                continue
            self.written += len(traces)
            if self._on_write is not None:
                self._on_write(len(traces))
            mirrors = [m for _, _, m in traces if m is not None]
            if mirrors:
                try:  # the caller's trace may live elsewhere; the gateway's own trace is kept
                    store.log_spans(experiment_id, mirrors)
                except Exception as exc:
                    _log.info("gateway: caller-trace spans not stored: %s", exc)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued record is written or dropped; whether it happened in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._idle.wait(min(0.05, max(0.0, deadline - time.monotonic()))) and (
                self._queue.empty()
            ):
                return True
        return False

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (within ``timeout``) and stop the thread."""
        if self._thread is None:
            return
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)
