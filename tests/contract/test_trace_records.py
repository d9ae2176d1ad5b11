"""Trace records (StartTraceV3 and the legacy v2 EndTrace) carrying assessments and merges,
over SQLite, the REST store, PostgreSQL and MySQL/MariaDB."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError, NotImplementedFeatureError
from ardea.entities import Assessment, Span, TraceInfo
from ardea.store.traces import TraceStore
from fixtures import workspaces
from fixtures.backends import fresh_sqlite, served, shared_backend
from fixtures.replicas import replicas_backend


@pytest.fixture(
    params=[
        "sqlite",
        "rest",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
        *workspaces.MODES,
        pytest.param("replicas", marks=[pytest.mark.replicas, pytest.mark.postgres]),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TraceStore]:
    """A fresh trace store (only the Default experiment, ``"0"``) of each kind (``replicas``:
    through haproxy in front of three servers, so a trace's start and end reach different
    ones: :mod:`fixtures.replicas`)."""
    if request.param == "replicas":
        for remote in replicas_backend(request):
            yield remote.traces
        return
    shared = request.param in ("postgres", "mysql")
    opened = workspaces.opened(request, tmp_path)
    backend = (
        next(opened)
        if opened
        else shared_backend(request, request.param)
        if shared
        else fresh_sqlite(request, tmp_path)
    )
    if request.param == "rest":
        with served(backend) as remote:
            yield remote.traces
    else:
        yield backend.traces
    if opened:
        next(opened, None)  # the isolation check, then the database closes
    elif not shared:
        backend.close()


def tid(n: int) -> str:
    return f"tr-{n:032x}"


def feedback(assessment_id: str, value: object, name: str = "ok") -> Assessment:
    return Assessment(assessment_id, "", name, "feedback", value, "CODE", "check")


def test_assessments_in_a_record_are_stored_once_by_id(store: TraceStore) -> None:
    record = TraceInfo(
        tid(1),
        "0",
        1000,
        20,
        "OK",
        assessments=[feedback("a-" + "1" * 32, 0.5), feedback("", True, "fresh")],
    )
    first = store.start_trace(record)
    ids = {a.name: a.assessment_id for a in first.assessments}
    assert ids["ok"] == "a-" + "1" * 32 and ids["fresh"].startswith("a-")
    assert {a.trace_id for a in first.assessments} == {tid(1)}

    retried = replace(record, assessments=[feedback("a-" + "1" * 32, 0.75)])
    store.start_trace(retried)  # the retry rewrites the assessment with that id
    stored = store.get_trace_info(tid(1)).assessments
    assert sorted((a.name, a.value) for a in stored) == [("fresh", True), ("ok", 0.75)]
    assert store.get_assessment(tid(1), "a-" + "1" * 32).value == 0.75


def test_an_assessment_id_of_another_trace_is_refused(store: TraceStore) -> None:
    store.start_trace(TraceInfo(tid(2), "0", 1000, assessments=[feedback("a-" + "2" * 32, 1)]))
    with pytest.raises(InvalidArgumentError, match="belongs to another trace"):
        store.start_trace(TraceInfo(tid(3), "0", 1000, assessments=[feedback("a-" + "2" * 32, 2)]))
    with pytest.raises(NotFoundError):
        store.get_trace_info(tid(3))  # nothing of the refused record was stored
    assert store.get_assessment(tid(2), "a-" + "2" * 32).value == 1
    twice = [feedback("a-" + "4" * 32, 1), feedback("a-" + "4" * 32, 2)]
    with pytest.raises(InvalidArgumentError, match="twice"):
        store.start_trace(TraceInfo(tid(4), "0", 1000, assessments=twice))


def test_end_trace_merges_into_the_stored_record(store: TraceStore) -> None:
    store.start_trace(
        TraceInfo(
            tid(5),
            "0",
            1000,
            None,
            "IN_PROGRESS",
            trace_metadata={"m1": "apple", "m2": "grape"},
            tags={"t1": "football", "t2": "basketball"},
        )
    )
    ended = store.end_trace(tid(5), 3000, "OK", {"m1": "orange", "m3": "banana"}, {"t1": "soccer"})
    assert (ended.request_time, ended.execution_duration, ended.state) == (1000, 2000, "OK")
    assert ended.trace_metadata == {"m1": "orange", "m2": "grape", "m3": "banana"}
    assert {k: v for k, v in ended.tags.items() if not k.startswith("mlflow.")} == {
        "t1": "soccer",
        "t2": "basketball",
    }
    kept = store.end_trace(tid(5), 4000, "STATE_UNSPECIFIED", {}, {})
    assert (kept.state, kept.execution_duration) == ("OK", 3000)
    with pytest.raises(NotFoundError):
        store.end_trace(tid(6), 1, "OK", {}, {})


def _span(trace: int, *, child: bool = False) -> Span:
    """A finished span of trace ``trace`` (the root, or one child of it)."""
    return Span(
        trace_id=tid(trace),
        span_id=f"{(2 if child else 1) + 16 * trace:016x}",
        parent_span_id=f"{1 + 16 * trace:016x}" if child else None,
        name="child" if child else "root",
        span_type="UNKNOWN",
        status_code="OK",
        start_time_ns=1_000_000_000,
        end_time_ns=1_020_000_000,
        attributes={},
    )


def _comparable(info: TraceInfo) -> tuple[object, ...]:
    tags = {k: re.sub("tr-[0-9a-f]{32}", "X", v) for k, v in info.tags.items()}
    assessments = sorted((a.name, a.value) for a in info.assessments)
    return (
        info.experiment_id,
        info.request_time,
        info.execution_duration,
        info.state,
        info.request_preview,
        info.response_preview,
        info.client_request_id,
        info.trace_metadata,
        tags,
        assessments,
        info.span_count,
    )


def _record(n: int, state: str = "OK", value: int | None = None) -> TraceInfo:
    return TraceInfo(
        tid(n),
        "0",
        1000 + n,
        20,
        state,
        request_preview=f"in {n}",
        response_preview=f"out {n}",
        client_request_id=f"c-{n}",
        trace_metadata={"mlflow.sourceRun": "r1", "m": str(n)},
        tags={"mlflow.eval.requestId": f"e-{n}", "t": "v"},
        assessments=[feedback(f"a-{n:032x}", n if value is None else value)] if n % 2 else [],
    )


def test_start_traces_stores_what_start_trace_stores(store: TraceStore) -> None:
    # Traces 1-4 are new; 11-14 were created by their spans first (as evaluate's exporter
    # does); 21 is given twice (the later record completes the earlier one).
    for n in (11, 12, 13, 14, 111, 112, 113, 114):
        try:
            store.log_spans("0", [_span(n), _span(n, child=True)])
        except NotImplementedFeatureError:  # REST: spans go over OTLP, records are new
            break
    states = {3: "IN_PROGRESS", 13: "IN_PROGRESS", 14: "STATE_UNSPECIFIED"}
    numbers = (1, 2, 3, 4, 11, 12, 13, 14)
    for n in numbers:
        store.start_trace(_record(n + 100, states.get(n, "OK"), value=n))
    store.start_traces([_record(n, states.get(n, "OK"), value=n) for n in numbers])
    for n in numbers:
        expected = replace(store.get_trace_info(tid(n + 100)), trace_id=tid(n))
        expected.trace_metadata["m"] = str(n)
        expected.request_preview, expected.response_preview = f"in {n}", f"out {n}"
        expected.client_request_id, expected.request_time = f"c-{n}", 1000 + n
        expected.tags["mlflow.eval.requestId"] = f"e-{n}"
        assert _comparable(store.get_trace_info(tid(n))) == _comparable(expected)

    store.start_traces([_record(21), replace(_record(21), state="ERROR", tags={"late": "1"})])
    twice = store.get_trace_info(tid(21))
    assert twice.state == "ERROR" and twice.tags["late"] == "1" and twice.tags["t"] == "v"


def test_start_traces_refuses_bad_records_alone(store: TraceStore) -> None:
    bad_state = replace(_record(31), state="NOPE")
    missing_experiment = replace(_record(32), experiment_id="987654")
    store.start_trace(_record(35))
    stolen = replace(_record(34), assessments=[feedback(f"a-{35:032x}", 1)])
    with pytest.raises((InvalidArgumentError, NotFoundError)):
        store.start_traces([_record(30), bad_state, missing_experiment, _record(33), stolen])
    assert store.get_trace_info(tid(30)).tags["t"] == "v"
    assert store.get_trace_info(tid(33)).trace_metadata["m"] == "33"
    assert [a.value for a in store.get_trace_info(tid(35)).assessments] == [35]
    for n in (31, 32, 34):
        with pytest.raises(NotFoundError):
            store.get_trace_info(tid(n))
    store.start_traces([])
