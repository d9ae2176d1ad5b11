"""The trace recorder: batches, a bounded queue that drops (and counts) when the store is
slow, and the trace shape (MLflow's gateway metadata, the caller's traceparent)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ardea.entities.trace import Span, TraceInfo
from ardea.gateway.recorder import GatewayRecord, TraceRecorder, trace_parent
from ardea.store.backend import Backend
from ardea.store.traces import TraceStore


def _record(experiment_id: str = "0", **kw: object) -> GatewayRecord:
    now = time.time_ns()
    values: dict[str, object] = dict(
        experiment_id=experiment_id, endpoint_id="e-1", endpoint="chat",
        request_type="unified/chat", caller="OpenAI", user="ada", user_id="1", key_id="7",
        provider="openai", model="gpt-4o-mini", start_ns=now, end_ns=now + 1_000_000,
        status=200, input_tokens=3, output_tokens=4, request={"messages": []},
    )  # fmt: skip
    values.update(kw)
    return GatewayRecord(**values)  # type: ignore[arg-type]


class _StuckStore(TraceStore):
    """A trace store whose writes wait until released (a slow database)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.spans: list[Span] = []

    def log_spans(self, experiment_id: str, spans: Sequence[Span]) -> None:
        self.release.wait(30)
        self.spans.extend(spans)

    def start_trace(self, info: TraceInfo) -> TraceInfo:
        return info

    def __getattr__(self, name: str) -> object:  # the rest of the contract is never called
        raise AttributeError(name)


_StuckStore.__abstractmethods__ = frozenset()  # type: ignore[misc]


def test_a_slow_store_never_grows_the_queue_past_its_bound() -> None:
    store = _StuckStore()
    drops: list[tuple[str, int]] = []
    recorder = TraceRecorder(
        store, max_queue=3, batch_size=2, on_drop=lambda r, n: drops.append((r, n))
    )
    for _ in range(20):
        recorder.record(_record())  # never blocks
    # The writer holds at most one batch (2); the queue holds 3: the rest was dropped.
    assert recorder.dropped >= 20 - 3 - 2
    assert {reason for reason, _ in drops} == {"queue_full"}
    store.release.set()
    assert recorder.flush()
    assert len(store.spans) + recorder.dropped == 20
    recorder.close()


def test_records_become_traces_with_mlflows_gateway_metadata(
    backend: Backend, experiment_id: str
) -> None:
    recorder = TraceRecorder(backend.traces)
    parent = trace_parent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    recorder.record(_record(experiment_id, parent=parent, cost=0.5, ttft_ms=12.5, stream=True))
    recorder.record(_record(experiment_id, status=502, error="openai broke off the stream"))
    recorder.close()
    traces = {t.state: t for t in backend.traces.search_traces([experiment_id])}
    ok, failed = traces["OK"], traces["ERROR"]
    assert ok.trace_metadata["mlflow.gateway.endpointId"] == "e-1"
    assert ok.trace_metadata["mlflow.gateway.requestType"] == "unified/chat"
    assert ok.trace_metadata["mlflow.gateway.caller"] == "OpenAI"
    assert ok.trace_metadata["mlflow.auth.username"] == "ada"
    assert ok.trace_metadata["ardea.gateway.keyId"] == "7"
    assert ok.trace_metadata["ardea.gateway.ttftMs"] == "12.500"
    assert ok.cost == 0.5 and ok.token_usage is not None and ok.token_usage.total_tokens == 7
    assert failed.state == "ERROR"


def test_traceparent_parsing() -> None:
    assert trace_parent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") == (
        "0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331",
    )
    for bad in (None, "", "garbage", "00-" + "0" * 32 + "-b7ad6b7169203331-01", "00-zz-yy-01"):
        assert trace_parent(bad) is None


def test_close_without_records_is_a_no_op(tmp_path: Path) -> None:
    TraceRecorder(_StuckStore()).close()


def test_the_batch_hook_sees_each_batch_and_cannot_stop_the_writer(
    backend: Backend, experiment_id: str
) -> None:
    """``on_batch`` (the usage roll-up's seam) gets every batch's records; a hook that
    raises is logged and the traces, and the next batches, are still written."""
    seen: list[list[GatewayRecord]] = []

    def hook(records: list[GatewayRecord]) -> None:
        seen.append(records)
        raise RuntimeError("a broken roll-up")

    recorder = TraceRecorder(backend.traces, batch_size=2, linger_s=0.01, on_batch=hook)
    sent = [_record(experiment_id, input_tokens=n) for n in range(5)]
    for record in sent:
        recorder.record(record)
    assert recorder.flush()
    recorder.close()
    assert sorted(r.input_tokens for batch in seen for r in batch) == list(range(5))
    assert all(len(batch) <= 2 for batch in seen)
    assert recorder.written == 5 and len(backend.traces.search_traces([experiment_id])) == 5
