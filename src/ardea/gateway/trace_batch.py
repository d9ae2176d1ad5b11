"""Turning a batch of :class:`~ardea.gateway.record.GatewayRecord` into traces, and writing them.

:class:`BatchWriter` is the part of the trace recorder that touches the store: the usage
roll-up hook first, then one ``log_new_traces_async`` per workspace and experiment (one plain
multi-row insert per table on SQL stores), then the mirror spans under callers' traces. It
runs on the recorder's thread, or in the writer process (:mod:`ardea.gateway.trace_writer`),
which keeps the store's CPU and its Python lock away from the request path.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import orjson

from ardea.entities.trace import Span, TraceInfo, TraceState
from ardea.gateway.record import GatewayRecord
from ardea.store.traces import TraceStore

__all__ = ["BatchWriter", "Drops"]

_log = logging.getLogger(__name__)

Drops = list[tuple[str, int]]
"""``(reason, count)`` of the records a write lost."""


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
    response = _answer(record.response)
    if response is not None:
        attributes["mlflow.spanOutputs"] = response
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


def _answer(response: Any) -> Any:
    """The span's outputs: the provider's JSON bytes parsed (None if not JSON), else as is."""
    if isinstance(response, (bytes, bytearray, memoryview)):
        try:
            return orjson.loads(response)
        except orjson.JSONDecodeError:
            return None
    return response


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


class BatchWriter:
    """Writes batches of records as traces (and their usage, through ``on_batch``).

    Args:
        store: Where traces go.
        store_for: The trace store of a workspace (a record's ``workspace``). None:
            ``store`` for every record.
        on_batch: Called with every batch before its traces are written (the usage
            roll-up); an exception it raises is logged and does not stop the write.

    One writer belongs to one thread: it owns the event loop of the store's async writes.
    """

    def __init__(
        self,
        store: TraceStore,
        *,
        store_for: Callable[[str], TraceStore] | None = None,
        on_batch: Callable[[list[GatewayRecord]], None] | None = None,
    ) -> None:
        self.store = store
        self._store_for = store_for
        self._on_batch = on_batch
        self._loop: asyncio.AbstractEventLoop | None = None

    def write(self, batch: list[GatewayRecord]) -> tuple[int, Drops]:
        """Write ``batch``: the count of traces written and what was dropped (never raises)."""
        if self._on_batch is not None:
            try:
                self._on_batch(batch)
            except Exception:
                _log.exception("gateway: the batch hook failed")
        by_experiment: dict[tuple[str, str], list[tuple[TraceInfo, Span, Span | None]]]
        by_experiment = defaultdict(list)
        for record in batch:
            by_experiment[record.workspace, record.experiment_id].append(_to_trace(record))
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        written, drops = 0, []
        for (workspace, experiment_id), traces in by_experiment.items():
            spans = [span for _, span, _ in traces]
            infos = [info for info, _, _ in traces]
            try:  # one write transaction per batch and experiment (on SQL stores)
                store = self._store_for(workspace) if self._store_for else self.store
                self._loop.run_until_complete(
                    store.log_new_traces_async(experiment_id, spans, infos)
                )
            except Exception as exc:
                _log.warning("gateway: dropped %d request traces: %s", len(traces), exc)
                drops.append(("store_error", len(traces)))
                continue
            written += len(traces)
            mirrors = [m for _, _, m in traces if m is not None]
            if mirrors:
                try:  # the caller's trace may live elsewhere; the gateway's own trace is kept
                    store.log_spans(experiment_id, mirrors)
                except Exception as exc:
                    _log.info("gateway: caller-trace spans not stored: %s", exc)
        return written, drops

    def close(self) -> None:
        """Close the event loop of the store's async writes."""
        if self._loop is not None:
            self._loop.close()
            self._loop = None
