"""``log_new_traces_async`` (whole new traces, the gateway's write) on SQLite, PostgreSQL and
MySQL: the traces read back exactly as the general ``log_spans_with_records_async`` path
stores them, and a batch the direct insert cannot take goes the general way, losing nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ardea.entities import Span, Trace, TraceInfo
from ardea.store.sql.traces.store import SqlTraceStore
from fixtures.backends import fresh_sqlite, shared_backend

MS = 1_000_000
T0 = 1_700_000_000_000


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlTraceStore]:
    """The trace store of a fresh SQL backend on SQLite, PostgreSQL and MySQL."""
    if request.param == "sqlite":
        local = fresh_sqlite(request, tmp_path)
        assert isinstance(local.traces, SqlTraceStore)
        yield local.traces
        local.close()
    else:
        shared = shared_backend(request, request.param)
        assert isinstance(shared.traces, SqlTraceStore)
        yield shared.traces


def _trace(
    *, children: int = 1, state: str = "OK", user: str | None = "ann"
) -> tuple[TraceInfo, list[Span]]:
    """A gateway-like trace: a root LLM span with payloads and usage, plus child spans."""
    trace_id = "tr-" + os.urandom(16).hex()
    root_id = os.urandom(8).hex()
    attributes: dict[str, Any] = {
        "mlflow.spanType": "LLM",
        "mlflow.spanInputs": {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        "mlflow.spanOutputs": {"choices": [{"message": {"content": "hello"}}]},
        "mlflow.llm.model": "gpt-4o-mini",
        "mlflow.chat.tokenUsage": {"input_tokens": 12, "output_tokens": 9, "total_tokens": 21},
        "mlflow.llm.cost": {"total_cost": 0.25},
    }
    if user:
        attributes["user.id"] = user
    spans = [
        Span(
            trace_id=trace_id,
            span_id=root_id,
            parent_span_id=None,
            name="gateway/chat",
            span_type="LLM",
            status_code="OK" if state == "OK" else "ERROR",
            status_message="" if state == "OK" else "upstream failed",
            start_time_ns=T0 * MS,
            end_time_ns=(T0 + 50) * MS,
            attributes=attributes,
            kind="SERVER",
        )
    ]
    for n in range(children):
        spans.append(
            Span(
                trace_id=trace_id,
                span_id=os.urandom(8).hex(),
                parent_span_id=root_id,
                name=f"child-{n}",
                span_type="TOOL",
                status_code="OK",
                status_message="",
                start_time_ns=(T0 + 1) * MS,
                end_time_ns=(T0 + 2) * MS,
                attributes={"mlflow.chat.tokenUsage": {"input_tokens": 1, "output_tokens": 2}},
            )
        )
    info = TraceInfo(
        trace_id=trace_id,
        experiment_id="0",
        request_time=T0,
        execution_duration=50,
        state=state,
        trace_metadata={
            "mlflow.gateway.endpointId": "e-1",
            "mlflow.trace_schema.version": "3",
            "mlflow.trace.tokenUsage": '{"input_tokens":12}',
        },
        tags={"mlflow.traceName": "gateway/chat", "team": "a"},
    )
    return info, spans


def _shape(trace: Trace) -> dict[str, Any]:
    """A trace with its id taken out (so that two traces stored two ways compare equal)."""
    old = trace.info.trace_id
    info = dataclasses.asdict(trace.info)
    info["trace_id"] = "x"
    info["tags"] = {
        k: v.replace(old, "x") if k == "mlflow.artifactLocation" else v
        for k, v in info["tags"].items()
    }
    spans = sorted(
        (dataclasses.asdict(s) | {"trace_id": "x"} for s in trace.spans),
        key=lambda s: (s["parent_span_id"] is not None, s["name"]),
    )
    ids = {s["span_id"]: f"s{i}" for i, s in enumerate(spans)}
    for s in spans:
        s["span_id"] = ids[s["span_id"]]
        s["parent_span_id"] = ids.get(s["parent_span_id"], s["parent_span_id"])
    return {"info": info, "spans": spans}


def _twice(**kwargs: Any) -> tuple[tuple[TraceInfo, list[Span]], tuple[TraceInfo, list[Span]]]:
    info, spans = _trace(**kwargs)
    other_id = "tr-" + os.urandom(16).hex()
    other = dataclasses.replace(info, trace_id=other_id)
    return (info, spans), (other, [dataclasses.replace(s, trace_id=other_id) for s in spans])


@pytest.mark.parametrize(
    "kwargs", [{}, {"children": 0, "state": "ERROR", "user": None}, {"children": 3}]
)
def test_whole_traces_read_back_as_the_general_path_stores_them(
    store: SqlTraceStore, kwargs: dict[str, Any]
) -> None:
    """Same info (columns, tags, metadata, aggregates, previews) and same spans."""
    (general, general_spans), (whole, whole_spans) = _twice(**kwargs)
    asyncio.run(store.log_spans_with_records_async("0", general_spans, [general]))
    asyncio.run(store.log_new_traces_async("0", whole_spans, [whole]))
    a, b = store.get_trace(general.trace_id), store.get_trace(whole.trace_id)
    assert _shape(b) == _shape(a)
    assert b.info.span_count == len(whole_spans) and b.info.cost == pytest.approx(0.25)
    found = store.search_traces(["0"], filter_string="tags.team = 'a'", max_results=500)
    assert {whole.trace_id, general.trace_id} <= {t.trace_id for t in found}


def test_a_batch_of_many_whole_traces(store: SqlTraceStore) -> None:
    """Several traces in one call: each stored whole, in one write."""
    traces = [_trace(children=i % 2) for i in range(20)]
    infos = [info for info, _ in traces]
    spans = [s for _, trace_spans in traces for s in trace_spans]
    asyncio.run(store.log_new_traces_async("0", spans, infos))
    for info, trace_spans in traces:
        stored = store.get_trace(info.trace_id)
        assert stored.info.span_count == len(trace_spans) == len(stored.spans)
        assert stored.info.trace_metadata["mlflow.gateway.endpointId"] == "e-1"


def test_an_existing_trace_sends_the_batch_the_general_way(store: SqlTraceStore) -> None:
    """A trace id already stored: nothing is lost, the record only fills gaps (as the general
    path), and the other traces of the batch are stored too."""
    (info, spans), (fresh, fresh_spans) = _twice()
    store.start_trace(dataclasses.replace(info, tags={"team": "first"}, trace_metadata={}))
    asyncio.run(store.log_new_traces_async("0", spans + fresh_spans, [info, fresh]))
    kept = store.get_trace(info.trace_id)
    assert kept.info.tags["team"] == "first" and len(kept.spans) == len(spans)
    assert kept.info.trace_metadata["mlflow.gateway.endpointId"] == "e-1"
    assert len(store.get_trace(fresh.trace_id).spans) == len(fresh_spans)


def test_spans_without_their_record_go_the_general_way(store: SqlTraceStore) -> None:
    """A batch that is not whole (spans of a trace with no record) is still stored."""
    info, spans = _trace()
    orphan, orphan_spans = _trace(children=0)
    asyncio.run(store.log_new_traces_async("0", spans + orphan_spans, [info]))
    assert store.get_trace(orphan.trace_id).info.span_count == 1
    assert store.get_trace(info.trace_id).info.trace_metadata["mlflow.trace_schema.version"]
