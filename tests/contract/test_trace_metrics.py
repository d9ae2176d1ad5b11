"""``trace_metrics`` (per-bucket trace aggregates and feedback pass rates) over SQLite,
PostgreSQL and MySQL/MariaDB: the same seed gives the same numbers on each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.store.traces import TraceStore
from fixtures import workspaces
from fixtures.backends import fresh_sqlite, served, shared_backend
from fixtures.trace_metrics_seed import END, T0, seed


@pytest.fixture(
    params=[
        "sqlite",
        "rest",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
        *workspaces.MODES,
    ]
)
def tracking(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TraceStore, str]]:
    """A trace store over seeded traces (REST: the server app's, over HTTP), and the seeded
    experiment's id."""
    shared = request.param in ("postgres", "mysql")
    opened = workspaces.opened(request, tmp_path)
    backend = (
        next(opened)
        if opened
        else shared_backend(request, request.param)
        if shared
        else fresh_sqlite(request, tmp_path)
    )
    exp = backend.tracking.create_experiment("metrics")
    other = backend.tracking.create_experiment("other")
    seed(backend.traces, exp, other)
    if request.param == "rest":
        with served(backend) as remote:
            yield remote.traces, exp
    else:
        yield backend.traces, exp
    if opened:
        next(opened, None)  # the isolation check, then the database closes
    elif not shared:
        backend.close()


def _metrics(
    tracking: tuple[TraceStore, str], start: int = T0, end: int = END, buckets: int = 4
) -> Any:
    store, exp = tracking
    return store.trace_metrics(exp, start, end, buckets)


def test_buckets_count_errors_tokens_and_latency(tracking: tuple[TraceStore, str]) -> None:
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


def test_feedback_pass_rates_and_numeric_means(tracking: tuple[TraceStore, str]) -> None:
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


def test_one_bucket_and_an_empty_range(tracking: tuple[TraceStore, str]) -> None:
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
    tracking: tuple[TraceStore, str], start: int, end: int, buckets: int
) -> None:
    with pytest.raises(InvalidArgumentError):
        _metrics(tracking, start, end, buckets)


def test_an_unknown_experiment_is_not_found(tracking: tuple[TraceStore, str]) -> None:
    store, _ = tracking
    with pytest.raises(NotFoundError):
        store.trace_metrics("987654", T0, END, 4)
