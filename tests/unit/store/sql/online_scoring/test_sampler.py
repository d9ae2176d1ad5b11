"""Online scoring's sampling of ended traces, in the trace stores' own writes, on a real SQLite
backend: hash sampling within a binomial bound and the same on every call, every write path
that ends traces (records, root spans, whole gateway traces), filters with the trace grammar,
a filter refused when configured, the degrade factor, the config cache dropped on a change,
listeners, sessions, and backfill."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Span, TraceInfo
from ardea.entities.online_scoring import ActiveScorer
from ardea.store.backend import Backend
from ardea.store.online_sampling import matching, sampled
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.online_scoring.sampler import sampler_for

JUDGE = json.dumps(
    {
        "name": "polite",
        "instructions_judge_pydantic_data": {"instructions": "{{ outputs }}?", "model": "x:/y"},
    }
)
SESSION_JUDGE = json.dumps(
    {
        "name": "chat",
        "instructions_judge_pydantic_data": {
            "instructions": "{{ conversation }}?",
            "model": "x:/y",
        },
    }
)


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(f"sqlite:///{tmp_path / 'a.db'}")
    yield b
    b.close()


def _ids(count: int, first: int = 1) -> list[str]:
    return [f"tr-{n:032x}" for n in range(first, first + count)]


def _traces(backend: Backend, exp: str, ids: list[str], **tags: str) -> list[str]:
    for n, trace_id in enumerate(ids):
        backend.traces.start_trace(
            TraceInfo(
                trace_id=trace_id,
                experiment_id=exp,
                request_time=1_000 + n,
                state="OK",
                tags=dict(tags),
            )
        )
    return ids


def _pending(backend: Backend, exp: str) -> int:
    return backend.online_scoring.counts(exp)["pending"]


def _within_binomial(k: int, n: int, p: float) -> bool:
    sd = math.sqrt(n * p * (1 - p))
    return abs(k - n * p) <= 4.5 * sd  # fails by chance about once in 150,000 runs


def _active(backend: Backend, name: str = "polite", rate: float = 1.0, **kw: str) -> str:
    exp = backend.tracking.create_experiment("e")
    backend.scorers.register_scorer(exp, name, JUDGE)
    backend.scorers.upsert_online_scoring_config(exp, name, rate, kw.get("filter_string"))
    return exp


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_sampling_is_within_a_binomial_bound_and_repeatable(rate: float) -> None:
    ids = _ids(4000, 0)
    taken = [t for t in ids if sampled(t, "scorer-a", rate)]
    assert _within_binomial(len(taken), len(ids), rate)
    assert taken == [t for t in ids if sampled(t, "scorer-a", rate)]
    smaller = {t for t in ids if sampled(t, "scorer-a", rate / 2)}
    assert smaller <= set(taken)  # a degraded rate samples a subset
    assert not sampled(ids[0], "s", 0.0) and sampled(ids[0], "s", 1.0)


def test_ended_records_are_sampled_at_the_rate_in_their_write(backend: Backend) -> None:
    exp = _active(backend, rate=0.3)
    ids = _ids(1000)
    backend.traces.start_traces(
        [TraceInfo(trace_id=t, experiment_id=exp, request_time=1, state="OK") for t in ids]
    )
    added = _pending(backend, exp)
    assert _within_binomial(added, 1000, 0.3)
    scorer_id = backend.scorers.get_scorer(exp, "polite").scorer_id
    assert added == sum(sampled(t, scorer_id, 0.3) for t in ids)
    _traces(backend, exp, ids)  # ending them again stores nothing more
    assert _pending(backend, exp) == added


def test_a_failed_sampling_insert_never_costs_the_traces(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    exp = _active(backend)
    backend.traces.start_traces(  # rows stored before the work table refuses inserts
        [TraceInfo(trace_id=t, experiment_id=exp, request_time=1, state="OK") for t in _ids(3)]
    )
    db = backend.traces.database  # type: ignore[attr-defined]
    db.write(
        lambda c: c.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON online_scoring_work "
            "BEGIN SELECT RAISE(ABORT, 'work table refuses'); END"
        )
    )
    ids = _ids(5, 100)
    with caplog.at_level("ERROR"):
        backend.traces.start_traces(
            [TraceInfo(trace_id=t, experiment_id=exp, request_time=1, state="OK") for t in ids]
        )
    assert "could not sample 5 ended trace(s)" in caplog.text
    assert [backend.traces.get_trace_info(t).state for t in ids] == ["OK"] * 5
    assert _pending(backend, exp) == 3  # the earlier rows are untouched


def test_in_progress_records_wait_for_their_end(backend: Backend) -> None:
    exp = _active(backend)
    (trace_id,) = _ids(1)
    backend.traces.start_trace(
        TraceInfo(trace_id=trace_id, experiment_id=exp, request_time=1, state="IN_PROGRESS")
    )
    assert _pending(backend, exp) == 0
    backend.traces.end_trace(trace_id, 5, "OK", {}, {})
    assert _pending(backend, exp) == 1


def _span(trace_id: str, span_id: str, parent: str | None) -> Span:
    return Span(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent,
        name="s",
        start_time_ns=1_000_000,
        end_time_ns=2_000_000,
    )


def test_a_root_span_ends_its_trace_a_child_does_not(backend: Backend) -> None:
    exp = _active(backend)
    a, b = _ids(2)
    backend.traces.log_spans(exp, [_span(a, "00000000000000a1", "00000000000000a0")])
    assert _pending(backend, exp) == 0
    backend.traces.log_spans(exp, [_span(a, "00000000000000a0", None), _span(b, "b0" * 8, None)])
    assert _pending(backend, exp) == 2


def test_whole_new_traces_are_sampled(backend: Backend) -> None:
    exp = _active(backend)
    ids = _ids(3)
    spans = [_span(t, "00000000000000c0", None) for t in ids]
    infos = [TraceInfo(trace_id=t, experiment_id=exp, request_time=1, state="OK") for t in ids]
    asyncio.run(backend.traces.log_new_traces_async(exp, spans, infos))
    assert _pending(backend, exp) == 3


def test_filters_the_cache_listeners_and_degrade(backend: Backend) -> None:
    exp = _active(backend, filter_string="tags.env = 'prod'")
    woke: list[int] = []
    stop = backend.online_scoring.listen(lambda: woke.append(1))
    _traces(backend, exp, _ids(4), env="prod")
    _traces(backend, exp, _ids(4, 100), env="dev")
    assert _pending(backend, exp) == 4
    assert woke == [1, 1, 1, 1]
    stop()
    # a config change in this process applies at once (the cache is dropped)
    backend.scorers.upsert_online_scoring_config(exp, "polite", 0.0)
    _traces(backend, exp, _ids(4, 200), env="prod")
    assert _pending(backend, exp) == 4 and woke == [1, 1, 1, 1]
    sampler = sampler_for(backend.traces.database)  # type: ignore[attr-defined]
    backend.scorers.upsert_online_scoring_config(exp, "polite", 1.0)
    sampler.max_backlog, sampler._backlog_at = 1, -math.inf  # 4 pending: rates scaled by 1/4
    backend.traces.start_traces(  # one write: sampled at 1/4 throughout
        [
            TraceInfo(
                trace_id=t, experiment_id=exp, request_time=1, state="OK", tags={"env": "prod"}
            )
            for t in _ids(400, 300)
        ]
    )
    assert 50 <= _pending(backend, exp) - 4 <= 150


def test_a_filter_the_grammar_refuses_is_refused_when_configured(backend: Backend) -> None:
    exp = _active(backend)
    with pytest.raises(InvalidArgumentError, match="filter_string"):
        backend.scorers.upsert_online_scoring_config(exp, "polite", 1.0, "nonsense ~~ 3")
    (config,) = backend.scorers.get_online_scoring_configs(
        [backend.scorers.get_scorer(exp, "polite").scorer_id]
    )
    assert config.filter_string is None  # nothing stored changed
    # a filter that fails only when it runs skips its scorer (logged), never the write
    bad = ActiveScorer("s", exp, "bad", 1, "judge", 1.0, "tags.x = 'unterminated")
    assert matching(backend.traces, exp, bad, _ids(2)) == []


def test_sessions_are_scored_once_keyed_by_their_first_trace(backend: Backend) -> None:
    exp = backend.tracking.create_experiment("e")
    backend.scorers.register_scorer(exp, "chat", SESSION_JUDGE)
    backend.scorers.upsert_online_scoring_config(exp, "chat", 1.0)
    first, second = _ids(2)
    for n, trace_id in enumerate((first, second)):
        backend.traces.start_trace(
            TraceInfo(
                trace_id=trace_id,
                experiment_id=exp,
                request_time=1_000 + n,
                state="OK",
                trace_metadata={"mlflow.trace.session": "s-1"},
            )
        )
    assert _pending(backend, exp) == 1
    work = backend.online_scoring.claim(
        "w", kinds=["judge"], limit=5, lease_seconds=5, experiment_ids=[exp]
    )
    assert work == []  # not before the session has been quiet for a while
