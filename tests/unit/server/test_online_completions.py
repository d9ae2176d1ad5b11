"""The scorer loop's completions on a real SQLite store: the ones that finish together are
written in one transaction, each gets its own answer, and a failed write reaches every waiter."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.entities import Feedback, TraceInfo
from ardea.entities.online_scoring import KIND_JUDGE, ClaimedWork, WorkItem
from ardea.server.online_completions import Completions
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend

JUDGE = json.dumps(
    {"name": "polite", "instructions_judge_pydantic_data": {"instructions": "{{ outputs }}?"}}
)


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(f"sqlite:///{tmp_path / 'a.db'}")
    yield b
    b.close()


def _claimed(backend: Backend, count: int, worker: str = "w", first: int = 1) -> list[ClaimedWork]:
    exp = backend.tracking.create_experiment(f"e-{worker}")
    scorer = backend.scorers.register_scorer(exp, "polite", JUDGE)
    ids = [f"tr-{n:032x}" for n in range(first, first + count)]
    backend.traces.start_traces(
        [TraceInfo(trace_id=t, experiment_id=exp, request_time=1, state="OK") for t in ids]
    )
    store = backend.online_scoring
    store.enqueue([WorkItem(t, exp, scorer.scorer_id, 1, KIND_JUDGE) for t in ids])
    return store.claim(worker, kinds=[KIND_JUDGE], limit=count, lease_seconds=60)


def test_completions_that_finish_together_share_a_write(backend: Backend) -> None:
    work = _claimed(backend, 30)
    other = _claimed(backend, 1, worker="someone-else", first=100)
    completions = Completions(backend.online_scoring, "w")

    async def finish() -> list[bool]:
        jobs = [completions.complete(w.key, [Feedback(name="polite", value=True)]) for w in work]
        jobs.append(completions.complete(other[0].key, [Feedback(name="polite", value=True)]))
        return list(await asyncio.gather(*jobs))

    answers = asyncio.run(finish())
    assert answers == [True] * 30 + [False]  # the other worker's row is not ours to finish
    assert 1 <= completions.batches < 31
    assert backend.online_scoring.counts()["done"] == 30
    trace = backend.traces.get_trace_info(work[0].key.trace_id)
    assert [(a.name, a.value) for a in trace.assessments] == [("polite", True)]


def test_a_failed_write_reaches_every_waiter(backend: Backend) -> None:
    work = _claimed(backend, 3)
    completions = Completions(backend.online_scoring, "w")
    backend.close()  # the database is gone: the write raises

    async def finish() -> list[object]:
        jobs = [completions.complete(w.key, [Feedback(name="polite", value=True)]) for w in work]
        return list(await asyncio.gather(*jobs, return_exceptions=True))

    answers = asyncio.run(finish())
    assert len(answers) == 3 and all(isinstance(a, Exception) for a in answers)
