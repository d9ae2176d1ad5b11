"""Trace retention on SQLite and PostgreSQL: policies, the plan, and the batched sweep.

Retention deletes only what it should: by age, by count, by both; an experiment's limits
override its workspace's; other experiments and workspaces are untouched; a dry run deletes
nothing; a deleted trace goes with its spans, tags, metadata and assessments. Under concurrent
ingest (threads writing traces while the sweep runs) nothing written after the cut-off is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import Feedback, Span
from ardea.entities.retention import MAX_AGE_DAYS_TAG, RetentionPolicy
from ardea.services.retention import sweep
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.store import SqlTraceStore

DAY = 86_400_000
NOW = 1_800_000_000_000
_PG_SCHEMA = "retention_tests"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A fresh backend on SQLite, or on PostgreSQL in a schema of its own."""
    if request.param == "sqlite":
        opened = open_sql_backend(
            f"sqlite:///{tmp_path / 'a.db'}", artifacts_destination=str(tmp_path / "artifacts")
        )
    else:
        from ardea.store.sql._db.engine import normalize_uri

        uri: str = request.getfixturevalue("postgres_uri")
        engine = sa.create_engine(normalize_uri(uri), poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {_PG_SCHEMA} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {_PG_SCHEMA}"))
        engine.dispose()
        sep = "&" if "?" in uri else "?"
        opened = open_sql_backend(
            f"{uri}{sep}options=-csearch_path%3D{_PG_SCHEMA}",
            artifacts_destination=str(tmp_path / "artifacts"),
        )
    yield opened
    opened.close()


_counter = iter(range(1, 10**9))


def log_trace(backend: Backend, experiment_id: str, at_ms: int, spans: int = 3) -> str:
    """A trace of ``spans`` spans whose request time is ``at_ms``; returns its id."""
    trace_id = f"tr-{next(_counter):032x}"
    start = at_ms * 1_000_000
    root = Span(trace_id, "a" * 16, None, "root", start_time_ns=start, end_time_ns=start + 10)
    children = [
        Span(trace_id, f"{i + 1:016x}", "a" * 16, f"c{i}", start_time_ns=start + 1)
        for i in range(spans - 1)
    ]
    backend.traces.log_spans(experiment_id, [root, *children])
    return trace_id


def ids(backend: Backend, experiment_id: str) -> set[str]:
    tr = t.traces.c
    query = sa.select(tr.trace_id).where(tr.experiment_id == int(experiment_id))
    store = backend.traces
    assert isinstance(store, SqlTraceStore)
    return set(store.database.read(lambda conn: list(conn.execute(query).scalars())))


def count(backend: Backend, table: sa.Table, trace_ids: set[str]) -> int:
    store = backend.traces
    assert isinstance(store, SqlTraceStore)
    query = sa.select(sa.func.count()).select_from(table).where(table.c.trace_id.in_(trace_ids))
    return int(store.database.read(lambda conn: conn.execute(query).scalar_one()))


def exp(backend: Backend, name: str) -> str:
    return backend.tracking.create_experiment(name)


def test_age_limit_deletes_older_traces_with_their_rows(backend: Backend) -> None:
    e, other = exp(backend, "e"), exp(backend, "other")
    old = {log_trace(backend, e, NOW - 10 * DAY - 1 - i) for i in range(3)}  # just past
    young = {
        log_trace(backend, e, NOW - 10 * DAY),
        log_trace(backend, e, NOW),
    }  # at the cut-off: kept
    untouched = {log_trace(backend, other, NOW - 100 * DAY)}
    victim = next(iter(old))
    backend.traces.set_trace_tag(victim, "k", "v")
    backend.traces.create_assessment(Feedback(name="ok", value=True, trace_id=victim))
    backend.retention.set_experiment_retention(e, RetentionPolicy(max_age_days=10))

    result = sweep(backend, now=NOW, batch_size=2)

    assert result.due == 3 and result.deleted == {e: 3}
    assert ids(backend, e) == young and ids(backend, other) == untouched
    for table in (t.spans, t.trace_tags, t.trace_metadata, t.assessments):
        assert count(backend, table, old) == 0, table.name
    assert count(backend, t.spans, young) == 6


def test_count_limit_keeps_the_newest(backend: Backend) -> None:
    e = exp(backend, "e")
    made = [log_trace(backend, e, NOW - 100 + i) for i in range(7)]
    backend.retention.set_experiment_retention(e, RetentionPolicy(max_traces=3))
    assert sweep(backend, now=NOW, batch_size=1000).total_deleted == 4
    assert ids(backend, e) == set(made[-3:])
    assert sweep(backend, now=NOW).targets == []  # nothing left to do


def test_count_limit_breaks_ties_by_trace_id(backend: Backend) -> None:
    e = exp(backend, "e")
    made = sorted(log_trace(backend, e, NOW) for _ in range(5))
    backend.retention.set_experiment_retention(e, RetentionPolicy(max_traces=2))
    sweep(backend, now=NOW, batch_size=1)
    assert ids(backend, e) == set(made[-2:])


def test_both_limits_delete_what_either_says(backend: Backend) -> None:
    e = exp(backend, "e")
    old = log_trace(backend, e, NOW - 40 * DAY)
    recent = [log_trace(backend, e, NOW - i) for i in range(4)]  # newest first
    backend.retention.set_experiment_retention(e, RetentionPolicy(max_age_days=30, max_traces=3))
    assert sweep(backend, now=NOW).total_deleted == 2
    assert ids(backend, e) == set(recent[:3])
    assert old not in ids(backend, e)


def test_experiment_overrides_workspace_field_by_field(backend: Backend) -> None:
    plain, capped, opted_out = exp(backend, "plain"), exp(backend, "capped"), exp(backend, "no")
    for e in (plain, capped, opted_out):
        for i in range(5):
            log_trace(backend, e, NOW - (20 - i) * DAY)  # 20..16 days old
    backend.retention.set_workspace_retention(RetentionPolicy(max_age_days=18))
    backend.retention.set_experiment_retention(capped, RetentionPolicy(max_traces=1))
    backend.retention.set_experiment_retention(opted_out, RetentionPolicy(max_age_days=0))

    got = backend.retention.get_experiment_retention(capped)
    assert got.policy == RetentionPolicy(max_traces=1)
    assert got.workspace_policy == RetentionPolicy(max_age_days=18)
    assert got.effective == RetentionPolicy(max_age_days=18, max_traces=1)

    sweep(backend, now=NOW)
    assert len(ids(backend, plain)) == 3  # 18 (at the cut-off), 17 and 16 days old
    assert len(ids(backend, capped)) == 1
    assert len(ids(backend, opted_out)) == 5


def test_other_workspaces_are_untouched(backend: Backend) -> None:
    backend.workspaces.create_workspace("team-b")
    b = backend.scoped("team-b")
    mine, theirs = exp(backend, "e"), b.tracking.create_experiment("e")
    log_trace(backend, mine, NOW - 5 * DAY)
    log_trace(b, theirs, NOW - 5 * DAY)
    backend.retention.set_workspace_retention(RetentionPolicy(max_age_days=1))
    assert b.retention.get_workspace_retention() == RetentionPolicy()
    sweep(backend, now=NOW)
    assert ids(backend, mine) == set() and len(ids(b, theirs)) == 1
    # And the other way round: team-b's policy, swept from the default backend.
    b.retention.set_workspace_retention(RetentionPolicy(max_traces=0, max_age_days=2))
    assert sweep(backend, now=NOW).deleted == {theirs: 1}


def test_a_dry_run_deletes_nothing(backend: Backend) -> None:
    e = exp(backend, "e")
    made = {log_trace(backend, e, NOW - 5 * DAY) for _ in range(3)}
    backend.retention.set_experiment_retention(e, RetentionPolicy(max_age_days=1))
    result = sweep(backend, now=NOW, dry_run=True)
    assert result.due == 3 and result.total_deleted == 0
    assert ids(backend, e) == made


def test_policies_are_tags_and_clear(backend: Backend) -> None:
    e = exp(backend, "e")
    backend.retention.set_experiment_retention(e, RetentionPolicy(max_age_days=7))
    assert backend.tracking.get_experiment(e).tags[MAX_AGE_DAYS_TAG] == "7"
    backend.retention.set_experiment_retention(e, RetentionPolicy())
    assert MAX_AGE_DAYS_TAG not in backend.tracking.get_experiment(e).tags
    backend.retention.set_workspace_retention(RetentionPolicy(max_traces=5))
    backend.retention.set_workspace_retention(RetentionPolicy())
    assert backend.retention.get_workspace_retention().is_empty
    assert sweep(backend, now=NOW).targets == []


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        (RetentionPolicy(max_age_days=-1), "max_age_days"),
        (RetentionPolicy(max_traces=-5), "max_traces"),
        (RetentionPolicy(max_age_days="ten"), "max_age_days"),  # type: ignore[arg-type]
        (RetentionPolicy(max_traces=True), "max_traces"),  # type: ignore[arg-type]
    ],
)
def test_bad_limits_are_refused_and_change_nothing(
    backend: Backend, policy: RetentionPolicy, field: str
) -> None:
    e = exp(backend, "e")
    backend.retention.set_experiment_retention(e, RetentionPolicy(max_age_days=3))
    with pytest.raises(InvalidArgumentError, match=field):
        backend.retention.set_experiment_retention(e, policy)
    with pytest.raises(InvalidArgumentError, match=field):
        backend.retention.set_workspace_retention(policy)
    assert backend.retention.get_experiment_retention(e).policy == RetentionPolicy(max_age_days=3)


def test_unknown_experiment_is_not_found(backend: Backend) -> None:
    with pytest.raises(NotFoundError):
        backend.retention.get_experiment_retention("999999")
    with pytest.raises(NotFoundError):
        backend.retention.set_experiment_retention("999999", RetentionPolicy(max_traces=1))


def test_sweep_under_concurrent_ingest_loses_nothing_after_the_cutoff(backend: Backend) -> None:
    """Writers keep logging new traces while the sweep deletes old ones in small batches."""
    e = exp(backend, "e")
    old = {log_trace(backend, e, NOW - 30 * DAY + i, spans=5) for i in range(300)}
    keep = {log_trace(backend, e, NOW - DAY + i, spans=5) for i in range(20)}
    backend.retention.set_experiment_retention(e, RetentionPolicy(max_age_days=7))
    written: list[str] = []
    errors: list[BaseException] = []
    started = threading.Event()
    stop = threading.Event()

    def writer(n: int) -> None:
        try:
            while not stop.is_set() or len(written) < 40:
                started.set()
                # Acknowledged (log_spans returned) after the cut-off: must survive.
                written.append(log_trace(backend, e, NOW + n * 1000 + len(written), spans=5))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    started.wait(10)
    progress: list[tuple[int, int]] = []
    result = sweep(
        backend, now=NOW, batch_size=25, on_batch=lambda _t, d, r: progress.append((d, r))
    )
    stop.set()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert result.deleted == {e: 300}
    assert progress[-1] == (300, 0) and len(progress) >= 12
    left = ids(backend, e)
    assert left == keep | set(written)
    assert not left & old
    assert count(backend, t.spans, set(written)) == 5 * len(written)


def test_a_sweep_another_process_holds_is_skipped(backend: Backend) -> None:
    e = exp(backend, "e")
    log_trace(backend, e, NOW - 5 * DAY)
    backend.retention.set_experiment_retention(e, RetentionPolicy(max_age_days=1))
    asked: list[str] = []

    def no(name: str) -> bool:
        asked.append(name)
        return False

    result = sweep(backend, now=NOW, acquire_once=no)
    assert result.skipped and asked == ["trace-retention-sweep"]
    assert len(ids(backend, e)) == 1


def test_archive_writes_parquet_then_deletes_and_reads_back(
    backend: Backend, tmp_path: Path
) -> None:
    from ardea.tracing.archive import load_archived, write_archive

    e, plain = exp(backend, "e"), exp(backend, "plain")
    old = [log_trace(backend, e, NOW - 40 * DAY + i, spans=4) for i in range(5)]
    young = log_trace(backend, e, NOW)
    plain_old = log_trace(backend, plain, NOW - 40 * DAY)
    backend.traces.set_trace_tag(old[0], "k", "v")
    backend.traces.create_assessment(Feedback(name="ok", value=True, trace_id=old[0]))
    before = backend.traces.get_trace(old[0])
    backend.retention.set_workspace_retention(RetentionPolicy(max_age_days=30))
    backend.retention.set_experiment_retention(e, RetentionPolicy(archive=True))

    result = sweep(backend, now=NOW, batch_size=2, archiver=write_archive)

    assert result.deleted == {e: 5, plain: 1}
    assert ids(backend, e) == {young} and ids(backend, plain) == set()
    assert count(backend, t.spans, set(old)) == 0
    archived = backend.traces.database.read(  # type: ignore[attr-defined]
        lambda conn: list(conn.execute(sa.select(t.archived_traces)))
    )
    assert sorted(r.trace_id for r in archived) == sorted(old)  # not plain's: no archive
    assert len({r.location for r in archived}) == 3  # one Parquet dataset per batch
    assert all("/traces-archive/" in r.location for r in archived)
    assert backend.traces.experiment_of_trace(old[0]) == e

    back = load_archived(backend, old[0])
    assert back is not None
    assert back.info.trace_id == old[0] and back.info.tags["k"] == "v"
    assert sorted(s.span_id for s in back.spans) == sorted(s.span_id for s in before.spans)
    assert back.info.request_time == before.info.request_time
    assert [a.name for a in back.info.assessments] == ["ok"]
    assert load_archived(backend, plain_old) is None  # deleted without an archive
    assert load_archived(backend, young) is None  # never archived
    other = backend.scoped("default")
    assert other.retention.archived_location(old[1]) is not None
