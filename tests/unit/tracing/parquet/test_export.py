"""Exporting a real store's traces to Parquet: by experiment, time range and filter."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.backend import Backend
from ardea.store.resolve import open_backend
from ardea.tracing.parquet import read_traces
from ardea.tracing.parquet.export import ExportStats, export_traces, time_filter

_TESTS = str(Path(__file__).resolve().parents[3])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)
_full = importlib.import_module("fixtures.full_traces")


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_backend(f"sqlite:///{tmp_path / 'ardea.db'}")
    yield b
    b.release()


@pytest.fixture
def seeded(backend: Backend) -> tuple[Backend, str, str]:
    one = backend.tracking.create_experiment("one")
    two = backend.tracking.create_experiment("two")
    traces = [_full.full_trace(i, experiment_id=one if i <= 7 else two) for i in range(1, 10)]
    _full.store_traces(backend.traces, traces)
    return backend, one, two


def test_export_equals_what_the_store_holds(
    seeded: tuple[Backend, str, str], tmp_path: Path
) -> None:
    backend, one, _ = seeded
    seen: list[tuple[int, int | None]] = []
    stats = export_traces(backend.traces, [one], tmp_path / "ds", page_size=3,
                          on_progress=lambda s: seen.append((s.traces, s.total)))  # fmt: skip
    assert (stats.traces, stats.total, stats.spans) == (7, 7, 21)
    back = list(read_traces(tmp_path / "ds"))
    ids = [t.info.trace_id for t in back]
    assert back == backend.traces.batch_get_traces(ids)
    # oldest first, every field there (assessments with errors, rationale, overrides, links)
    assert ids == [f"tr-{i:032x}" for i in range(1, 8)]
    first = back[0]
    assert {a.name for a in first.info.assessments} >= {"correctness", "expected_response"}
    assert any(a.error is not None for a in first.info.assessments)
    assert any(not a.valid for a in first.info.assessments)
    assert first.spans[0].links and first.spans[0].events
    assert first.info.token_usage is not None and first.info.cost is not None
    assert seen[0] == (3, 7) and seen[-1] == (7, 7)


def test_time_range_and_filter(seeded: tuple[Backend, str, str], tmp_path: Path) -> None:
    backend, one, two = seeded
    t0 = 1_700_000_000_000
    stats = export_traces(backend.traces, [one, two], tmp_path / "a",
                          since_ms=t0 + 3000, until_ms=t0 + 9000,
                          filter_string="status = 'OK'")  # fmt: skip
    got = [t.info.trace_id for t in read_traces(tmp_path / "a")]
    assert got == [f"tr-{i:032x}" for i in (3, 5, 7)]
    assert stats.total == 3


def test_nothing_matches_writes_nothing(seeded: tuple[Backend, str, str], tmp_path: Path) -> None:
    backend, one, _ = seeded
    stats = export_traces(backend.traces, [one], tmp_path / "none", filter_string="name = 'x'")
    assert (stats.traces, stats.files) == (0, [])
    assert not (tmp_path / "none").exists()


def test_a_bad_filter_fails_before_writing(
    seeded: tuple[Backend, str, str], tmp_path: Path
) -> None:
    backend, one, _ = seeded
    with pytest.raises(InvalidArgumentError):
        export_traces(backend.traces, [one], tmp_path / "bad", filter_string="nonsense ~~ 1")
    assert not (tmp_path / "bad").exists()


def test_time_filter_joins_with_and() -> None:
    assert time_filter(None) is None
    assert time_filter("  ", 5) == "timestamp_ms >= 5"
    assert time_filter("status = 'OK'", 1, 2) == (
        "status = 'OK' AND timestamp_ms >= 1 AND timestamp_ms < 2"
    )


def test_eta() -> None:
    assert ExportStats().eta is None
    assert ExportStats(traces=10, total=30, elapsed=2.0).eta == pytest.approx(4.0)
