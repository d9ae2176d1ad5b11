"""Online scoring over stored traces on a real SQLite backend: backfill of a time range
(per scorer name, at the configured rate, rows already there left alone)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.entities import TraceInfo
from ardea.services.online_scoring import backfill
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


def _traces(backend: Backend, exp: str, count: int) -> None:
    for n in range(count):
        backend.traces.start_trace(
            TraceInfo(
                trace_id=f"tr-{n + 1:032x}", experiment_id=exp, request_time=1_000 + n, state="OK"
            )
        )


def test_backfill_a_time_range(backend: Backend) -> None:
    exp = backend.tracking.create_experiment("e")
    backend.scorers.register_scorer(exp, "polite", JUDGE)
    backend.scorers.register_scorer(exp, "other", JUDGE)
    _traces(backend, exp, 10)  # request times 1000..1009, no scorer active yet
    backend.scorers.upsert_online_scoring_config(exp, "polite", 1.0)
    backend.scorers.upsert_online_scoring_config(exp, "other", 1.0)
    assert backfill(backend, exp, 1002, 1005, ["polite"]) == (4, 4)
    assert backfill(backend, exp, 1000, 1009) == (10, 16)
    assert backfill(backend, exp, 0, 1, ["nobody"]) == (0, 0)
