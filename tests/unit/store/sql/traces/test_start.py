"""StartTraceV3 and span ingest through the async (writer-queue) forms on SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import NotFoundError
from ardea.entities import Span, TraceInfo
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.traces.store import SqlTraceStore

T0 = 1_700_000_000_000


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlTraceStore]:
    """A trace store on a fresh SQLite database."""
    tracking_backend = open_sql_backend(f"sqlite:///{tmp_path / 'a.db'}")
    yield tracking_backend.traces  # type: ignore[misc]
    tracking_backend.close()


def _info(trace_id: str, experiment_id: str = "0") -> TraceInfo:
    return TraceInfo(
        trace_id=trace_id,
        experiment_id=experiment_id,
        request_time=T0,
        execution_duration=5,
        state="OK",
        request_preview='{"q": 1}',
        tags={"env": "test"},
        trace_metadata={"mlflow.trace.user": "ann"},
    )


def _root(trace_id: str) -> Span:
    return Span(
        trace_id=trace_id,
        span_id="00000000000000a1",
        parent_span_id=None,
        name="agent",
        span_type="AGENT",
        status_code="OK",
        start_time_ns=T0 * 1_000_000,
        end_time_ns=(T0 + 5) * 1_000_000,
        attributes={},
    )


def test_new_trace_answer_matches_the_stored_record(store: SqlTraceStore) -> None:
    stored = asyncio.run(store.start_trace_async(_info("tr-new")))
    assert stored == store.get_trace_info("tr-new")
    assert stored.tags["env"] == "test"
    assert stored.tags["mlflow.artifactLocation"].endswith("/traces/tr-new/artifacts")
    assert stored.user_id == "ann" and stored.span_count == 0


def test_trace_after_its_spans_merges_and_reads_back(store: SqlTraceStore) -> None:
    asyncio.run(store.log_spans_async("0", [_root("tr-late")]))
    stored = asyncio.run(store.start_trace_async(_info("tr-late")))
    assert stored == store.get_trace_info("tr-late")
    assert stored.span_count == 1 and stored.name == "agent"
    assert stored.tags["mlflow.trace.spansLocation"] == "TRACKING_STORE"
    assert stored.request_preview == '{"q": 1}'


def test_unknown_experiment_stores_nothing(store: SqlTraceStore) -> None:
    with pytest.raises(NotFoundError):
        asyncio.run(store.start_trace_async(_info("tr-x", experiment_id="424242")))
    with pytest.raises(NotFoundError):
        asyncio.run(store.log_spans_async("424242", [_root("tr-y")]))
    with pytest.raises(NotFoundError):
        store.get_trace_info("tr-x")
    with pytest.raises(NotFoundError):
        store.get_trace_info("tr-y")
