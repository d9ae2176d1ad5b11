"""Trace records (StartTraceV3 and the legacy v2 EndTrace) carrying assessments and merges,
over SQLite, the REST store, PostgreSQL and MySQL/MariaDB."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import Assessment, TraceInfo
from ardea.store.traces import TraceStore
from fixtures import workspaces
from fixtures.backends import fresh_sqlite, served, shared_backend


@pytest.fixture(
    params=[
        "sqlite",
        "rest",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
        *workspaces.MODES,
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TraceStore]:
    """A fresh trace store (only the Default experiment, ``"0"``) of each kind."""
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
