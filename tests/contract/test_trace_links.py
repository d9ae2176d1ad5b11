"""Linking traces to a run before they are stored (the ``mlflow`` client exports traces
asynchronously, so ``link_traces_to_run`` right after a traced call races the export), over
SQLite, the REST store, PostgreSQL and MySQL/MariaDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import NotFoundError
from ardea.entities import Span, TraceInfo
from ardea.store.backend import Backend
from ardea.store.traces import TraceStore
from fixtures import workspaces
from fixtures.backends import fresh_sqlite, served, shared_backend
from fixtures.replicas import replicas_backend

T0 = 1_700_000_000_000


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
def backends(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Backend, Backend]]:
    """(the backend under test, the SQL backend behind it): spans are written to the latter
    (a REST store sends no spans; the tracing SDK does, over OTLP). ``replicas``: through
    haproxy in front of three servers on one PostgreSQL database (:mod:`fixtures.replicas`)."""
    if request.param == "replicas":
        local = request.getfixturevalue("_replicas")[1]
        for remote in replicas_backend(request):
            yield remote, local
        return
    shared = request.param in ("postgres", "mysql")
    opened = workspaces.opened(request, tmp_path)
    local = (
        next(opened)
        if opened
        else shared_backend(request, request.param)
        if shared
        else fresh_sqlite(request, tmp_path)
    )
    if request.param == "rest":
        with served(local) as remote:
            yield remote, local
    else:
        yield local, local
    if opened:
        next(opened, None)  # the isolation check, then the database closes
    elif not shared:
        local.close()


def tid(n: int) -> str:
    return f"tr-{n:032x}"


def info(n: int, experiment_id: str = "0", **metadata: str) -> TraceInfo:
    return TraceInfo(
        tid(n), experiment_id, T0 + n, 5, "OK", trace_metadata=dict(metadata), tags={"k": "v"}
    )


def root_span(n: int) -> Span:
    start = (T0 + n) * 1_000_000
    return Span(tid(n), f"{n:016x}", None, f"root-{n}", start_time_ns=start, end_time_ns=start)


def linked(store: TraceStore, run_id: str) -> list[str]:
    return sorted(i.trace_id for i in store.search_traces(["0"], f"run_id = '{run_id}'"))


def test_a_link_to_a_trace_not_stored_yet_applies_when_its_record_arrives(
    backends: tuple[Backend, Backend],
) -> None:
    backend, _ = backends
    run = backend.tracking.create_run("0", run_name="r").info.run_id
    backend.traces.link_traces_to_run([tid(1)], run)  # no such trace yet: accepted
    assert linked(backend.traces, run) == []
    stored = backend.traces.start_trace(info(1))
    assert stored.trace_metadata["mlflow.sourceRun"] == run  # the answer already says so
    got = backend.traces.get_trace_info(tid(1))
    assert (got.run_id, got.trace_metadata["mlflow.sourceRun"]) == (run, run)
    assert linked(backend.traces, run) == [tid(1)]
    backend.traces.start_trace(info(1))  # a retried record keeps the link
    assert linked(backend.traces, run) == [tid(1)]


def test_links_to_traces_not_stored_yet_apply_when_their_records_arrive_in_bulk(
    backends: tuple[Backend, Backend],
) -> None:
    backend, _ = backends
    run = backend.tracking.create_run("0", run_name="r").info.run_id
    backend.traces.link_traces_to_run([tid(4), tid(5)], run)
    backend.traces.start_traces([info(4), info(5), info(6)])
    assert linked(backend.traces, run) == [tid(4), tid(5)]
    got = backend.traces.get_trace_info(tid(5))
    assert (got.run_id, got.trace_metadata["mlflow.sourceRun"]) == (run, run)


def test_a_link_to_a_trace_not_stored_yet_applies_when_its_spans_arrive(
    backends: tuple[Backend, Backend],
) -> None:
    backend, sql = backends
    run = backend.tracking.create_run("0", run_name="r").info.run_id
    backend.traces.link_traces_to_run([tid(2), tid(3)], run)
    sql.traces.log_spans("0", [root_span(2)])
    assert linked(backend.traces, run) == [tid(2)]
    backend.traces.start_trace(info(3))
    assert linked(backend.traces, run) == [tid(2), tid(3)]


def test_the_latest_link_wins_and_beats_the_run_the_record_names(
    backends: tuple[Backend, Backend],
) -> None:
    backend, _ = backends
    first = backend.tracking.create_run("0", run_name="a").info.run_id
    second = backend.tracking.create_run("0", run_name="b").info.run_id
    backend.traces.link_traces_to_run([tid(4)], first)
    backend.traces.link_traces_to_run([tid(4)], second)
    backend.traces.start_trace(info(4, **{"mlflow.sourceRun": first}))
    assert linked(backend.traces, second) == [tid(4)]
    assert linked(backend.traces, first) == []


def test_a_stored_trace_is_linked_at_once_and_an_unknown_run_is_refused(
    backends: tuple[Backend, Backend],
) -> None:
    backend, _ = backends
    run = backend.tracking.create_run("0", run_name="r").info.run_id
    backend.traces.start_trace(info(5))
    backend.traces.link_traces_to_run([tid(5), tid(6)], run)
    assert linked(backend.traces, run) == [tid(5)]
    with pytest.raises(NotFoundError):
        backend.traces.link_traces_to_run([tid(7)], "f" * 32)
    backend.traces.start_trace(info(7))
    assert backend.traces.get_trace_info(tid(7)).run_id is None
