"""``trace_metrics`` (per-bucket trace aggregates and feedback pass rates) over SQLite,
PostgreSQL and MySQL/MariaDB: the same seed gives the same numbers on each."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.sql.traces.metrics import trace_metrics
from fixtures.sql_wipe import wipe
from fixtures.trace_metrics_seed import END, T0, seed


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def tracking(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, int]]:
    """A fresh SQL tracking store with seeded traces, and the seeded experiment's id."""
    from ardea.store.sql.tracking.store import SqlTrackingStore

    if request.param == "sqlite":
        path = tmp_path / "metrics.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        store = SqlTrackingStore(f"sqlite:///{path}")
    else:
        store = request.getfixturevalue(f"_{request.param}_tracking")  # contract/conftest.py
        wipe(store)
    exp = store.create_experiment("metrics")
    other = store.create_experiment("other")
    seed(store.trace_store(), exp, other)
    yield store, int(exp)
    if request.param == "sqlite":
        store.close()


def _metrics(tracking: tuple[Any, int], start: int = T0, end: int = END, buckets: int = 4) -> Any:
    store, exp = tracking
    return store.database.read(lambda conn: trace_metrics(conn, exp, start, end, buckets))


def test_buckets_count_errors_tokens_and_latency(tracking: tuple[Any, int]) -> None:
    m = _metrics(tracking)
    assert (m.start_ms, m.end_ms, m.bucket_ms) == (T0, END, 1000)
    assert [b.start_ms for b in m.buckets] == [T0, T0 + 1000, T0 + 2000, T0 + 3000]
    assert [b.trace_count for b in m.buckets] == [2, 0, 1, 0]
    assert [b.error_count for b in m.buckets] == [1, 0, 0, 0]
    b0, b1, b2, _ = m.buckets
    assert (b0.latency_p50_ms, b0.latency_p90_ms, b0.latency_p99_ms) == pytest.approx(
        (200.0, 280.0, 298.0)
    )
    assert b1.latency_p50_ms is None and b1.cost == 0.0
    assert b2.latency_p50_ms == pytest.approx(50.0)
    assert (b0.input_tokens, b0.output_tokens, b0.cost) == (3, 4, pytest.approx(0.25))
    assert isinstance(b0.input_tokens, int) and isinstance(b0.cost, float)
    totals = m.totals
    assert (totals.trace_count, totals.error_count, totals.input_tokens) == (3, 1, 3)
    assert totals.latency_p50_ms == pytest.approx(100.0)


def test_feedback_pass_rates_and_numeric_means(tracking: tuple[Any, int]) -> None:
    by_name = {a.name: a for a in _metrics(tracking).assessments}
    assert sorted(by_name) == ["correct", "score"]  # the expectation is not feedback
    correct = by_name["correct"]
    # true and "Yes" pass, "no" fails; the overridden false and other traces do not count.
    assert (correct.count, correct.verdict_count, correct.pass_count) == (3, 3, 2)
    assert correct.pass_rate == pytest.approx(2 / 3)
    assert correct.pass_rates() == [0.5, None, 1.0, None]
    score = by_name["score"]
    assert (score.pass_rate, score.numeric_count) == (None, 2)
    assert score.numeric_mean == pytest.approx(0.75)


def test_one_bucket_and_an_empty_range(tracking: tuple[Any, int]) -> None:
    whole = _metrics(tracking, buckets=1)
    assert [b.trace_count for b in whole.buckets] == [3]
    empty = _metrics(tracking, start=END + 10_000, end=END + 20_000, buckets=10)
    assert len(empty.buckets) == 10
    assert sum(b.trace_count for b in empty.buckets) == 0
    assert empty.assessments == []
    assert empty.totals.latency_p50_ms is None


@pytest.mark.parametrize(
    ("start", "end", "buckets"),
    [(T0, T0, 4), (END, T0, 4), (-1, END, 4), (T0, END, 0), (T0, END, 1001)],
)
def test_bad_ranges_are_rejected(
    tracking: tuple[Any, int], start: int, end: int, buckets: int
) -> None:
    with pytest.raises(InvalidArgumentError):
        _metrics(tracking, start, end, buckets)
