"""The ingest hook of online scoring on a real SQLite backend: hash sampling within a binomial
bound and the same on every call, filters with the trace grammar, the degrade factor, a bad
filter that skips its scorer without failing, the config cache, backfill."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.entities import TraceInfo
from ardea.services.online_scoring import OnlineEnqueuer, backfill, sampled
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend

JUDGE = json.dumps(
    {
        "name": "polite",
        "instructions_judge_pydantic_data": {"instructions": "{{ outputs }}?", "model": "x:/y"},
    }
)


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(f"sqlite:///{tmp_path / 'a.db'}")
    yield b
    b.close()


def _traces(backend: Backend, exp: str, count: int, **tags: str) -> list[str]:
    ids = [f"tr-{n + 1:032x}" for n in range(count)]
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


def _within_binomial(k: int, n: int, p: float) -> bool:
    sd = math.sqrt(n * p * (1 - p))
    return abs(k - n * p) <= 4.5 * sd  # fails by chance about once in 150,000 runs


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_sampling_is_within_a_binomial_bound_and_repeatable(rate: float) -> None:
    ids = [f"tr-{n:032x}" for n in range(4000)]
    taken = [t for t in ids if sampled(t, "scorer-a", rate)]
    assert _within_binomial(len(taken), len(ids), rate)
    assert taken == [t for t in ids if sampled(t, "scorer-a", rate)]
    smaller = {t for t in ids if sampled(t, "scorer-a", rate / 2)}
    assert smaller <= set(taken)  # a degraded rate samples a subset
    assert not sampled(ids[0], "s", 0.0) and sampled(ids[0], "s", 1.0)


def test_enqueue_samples_at_the_rate_and_only_once(backend: Backend) -> None:
    exp = backend.tracking.create_experiment("e")
    backend.scorers.register_scorer(exp, "polite", JUDGE)
    backend.scorers.upsert_online_scoring_config(exp, "polite", 0.3)
    ids = _traces(backend, exp, 1000)
    enqueuer = OnlineEnqueuer()
    added = enqueuer.traces_ended(backend, exp, ids)
    assert _within_binomial(added, 1000, 0.3)
    assert enqueuer.traces_ended(backend, exp, ids) == 0
    assert backend.online_scoring.counts(exp)["pending"] == added


def test_filter_degrade_and_cache(backend: Backend) -> None:
    exp = backend.tracking.create_experiment("e")
    backend.scorers.register_scorer(exp, "polite", JUDGE)
    backend.scorers.upsert_online_scoring_config(exp, "polite", 1.0, "tags.env = 'prod'")
    prod = _traces(backend, exp, 4, env="prod")
    woke: list[int] = []
    enqueuer = OnlineEnqueuer(on_enqueue=lambda: woke.append(1))
    other = [f"tr-{n:032x}" for n in range(100, 104)]
    for trace_id in other:
        backend.traces.start_trace(
            TraceInfo(trace_id=trace_id, experiment_id=exp, request_time=1, state="OK")
        )
    assert enqueuer.traces_ended(backend, exp, prod + other) == 4
    assert woke == [1]
    # cached: a config change applies after the cache's ttl (or forget())
    backend.scorers.upsert_online_scoring_config(exp, "polite", 0.0)
    assert enqueuer.cached(backend, exp) is not None
    enqueuer.forget()
    assert enqueuer.traces_ended(backend, exp, other) == 0
    assert enqueuer.cached(backend, exp) == []
    none = OnlineEnqueuer(degrade=lambda: 0.0)
    backend.scorers.upsert_online_scoring_config(exp, "polite", 1.0)
    assert none.traces_ended(backend, exp, other) == 0


def test_a_filter_the_grammar_refuses_skips_its_scorer(backend: Backend) -> None:
    exp = backend.tracking.create_experiment("e")
    backend.scorers.register_scorer(exp, "polite", JUDGE)
    backend.scorers.register_scorer(exp, "other", JUDGE)
    backend.scorers.upsert_online_scoring_config(exp, "polite", 1.0, "nonsense ~~ 3")
    backend.scorers.upsert_online_scoring_config(exp, "other", 1.0)
    ids = _traces(backend, exp, 3)
    assert OnlineEnqueuer().traces_ended(backend, exp, ids) == 3  # "other" only


def test_backfill_a_time_range(backend: Backend) -> None:
    exp = backend.tracking.create_experiment("e")
    backend.scorers.register_scorer(exp, "polite", JUDGE)
    backend.scorers.register_scorer(exp, "other", JUDGE)
    backend.scorers.upsert_online_scoring_config(exp, "polite", 1.0)
    backend.scorers.upsert_online_scoring_config(exp, "other", 1.0)
    _traces(backend, exp, 10)  # request times 1000..1009
    enqueuer = OnlineEnqueuer()
    assert backfill(enqueuer, backend, exp, 1002, 1005, ["polite"]) == (4, 4)
    assert backfill(enqueuer, backend, exp, 1000, 1009) == (10, 16)
    assert backfill(enqueuer, backend, exp, 0, 1, ["nobody"]) == (0, 0)
