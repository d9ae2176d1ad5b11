"""``calculate_trace_filter_correlation`` (NPMI of two trace filters) over SQLite, the REST
store, PostgreSQL and MySQL/MariaDB."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import TraceInfo
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
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TraceStore, str]]:
    """Ten traces: six ``env=prod`` TOOL ones, four ``env=dev`` (one TOOL, three LLM); and
    one trace in another experiment."""
    shared = request.param in ("postgres", "mysql")
    opened = workspaces.opened(request, tmp_path)
    backend = (
        next(opened)
        if opened
        else shared_backend(request, request.param)
        if shared
        else fresh_sqlite(request, tmp_path)
    )
    exp = backend.tracking.create_experiment("correlation")
    other = backend.tracking.create_experiment("other")
    tags = [("prod", "TOOL")] * 6 + [("dev", "TOOL")] + [("dev", "LLM")] * 3
    for n, (env, kind) in enumerate(tags):
        info = TraceInfo(f"tr-{n:032x}", exp, 1000 + n, 5, "OK", tags={"env": env, "kind": kind})
        backend.traces.start_trace(info)
    backend.traces.start_trace(TraceInfo(f"tr-{99:032x}", other, 1, 5, "OK", tags={"env": "prod"}))
    if request.param == "rest":
        with served(backend) as remote:
            yield remote.traces, exp
    else:
        yield backend.traces, exp
    if opened:
        next(opened, None)  # the isolation check, then the database closes
    elif not shared:
        backend.close()


def test_counts_and_npmi(seeded: tuple[TraceStore, str]) -> None:
    store, exp = seeded
    r = store.calculate_trace_filter_correlation([exp], "tags.env = 'prod'", "tags.kind = 'TOOL'")
    assert (r.total_count, r.filter1_count, r.filter2_count, r.joint_count) == (10, 6, 7, 6)
    assert r.npmi == pytest.approx(0.69823, abs=1e-5)  # log(60/42) / -log(0.6)
    assert r.npmi_smoothed is not None and 0 < r.npmi_smoothed < r.npmi
    dev = store.calculate_trace_filter_correlation([exp], "tags.env = 'dev'", "tags.kind = 'LLM'")
    assert (dev.filter1_count, dev.filter2_count, dev.joint_count) == (4, 3, 3)
    assert dev.npmi > 0.5


def test_undefined_never_together_and_a_base_filter(seeded: tuple[TraceStore, str]) -> None:
    store, exp = seeded
    none = store.calculate_trace_filter_correlation(
        [exp], "tags.env = 'staging'", "tags.kind = 'TOOL'"
    )
    assert (none.total_count, none.filter1_count, none.joint_count) == (10, 0, 0)
    assert math.isnan(none.npmi)
    assert none.npmi_smoothed is None or math.isnan(none.npmi_smoothed)
    apart = store.calculate_trace_filter_correlation(
        [exp], "tags.kind = 'LLM'", "tags.env = 'prod'"
    )
    assert (apart.joint_count, apart.npmi) == (0, -1.0)
    based = store.calculate_trace_filter_correlation(
        [exp], "tags.kind = 'TOOL'", "tags.kind = 'LLM'", base_filter="tags.env = 'dev'"
    )
    assert (based.total_count, based.filter1_count, based.filter2_count) == (4, 1, 3)
    same = store.calculate_trace_filter_correlation(
        [exp], "tags.env = 'prod'", "tags.env = 'prod'", base_filter="tags.kind = 'TOOL'"
    )
    assert (same.total_count, same.joint_count, same.npmi) == (7, 6, pytest.approx(1.0))
    everything = store.calculate_trace_filter_correlation(
        [exp], "tags.env = 'prod'", "tags.env = 'prod'", base_filter="tags.env = 'prod'"
    )
    assert everything.npmi == 1.0  # both match every trace of the base


def test_unknown_experiments_and_bad_filters(seeded: tuple[TraceStore, str]) -> None:
    store, exp = seeded
    empty = store.calculate_trace_filter_correlation(["424242"], "status = 'OK'", "status = 'OK'")
    assert (empty.total_count, math.isnan(empty.npmi)) == (0, True)
    with pytest.raises(InvalidArgumentError, match="Invalid"):
        store.calculate_trace_filter_correlation(
            [exp], "invalid.filter = 'test'", "tags.kind = 'TOOL'"
        )
    with pytest.raises(InvalidArgumentError):
        store.calculate_trace_filter_correlation([exp], "tags.kind = 'TOOL'", "")
