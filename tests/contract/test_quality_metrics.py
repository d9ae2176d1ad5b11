"""``quality_metrics`` (each judge's pass rate per bucket, optionally per prompt version, model
or tag) over SQLite, REST, PostgreSQL, MySQL/MariaDB and inside workspaces: the same seed
gives the same counts on each; bad input is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import Assessment, Span
from ardea.store.backend import Backend
from ardea.store.traces import TraceStore
from fixtures import workspaces
from fixtures.backends import fresh_sqlite, served, shared_backend

MS = 1_000_000
T0 = 1_700_000_000_000
END = T0 + 4000
PROMPTS = {
    1: [{"name": "qa", "version": "1"}],
    2: [{"name": "qa", "version": "1"}],
    3: [{"name": "qa", "version": "2"}],
    4: [{"name": "qa", "version": "2"}, {"name": "sys", "version": "7"}],
}


def _spans(n: int, start_ms: int, model: str | None) -> list[Span]:
    root = Span(
        trace_id=f"tr-{n:032x}",
        span_id=f"{n:016x}",
        parent_span_id=None,
        name="root",
        span_type="AGENT",
        status_code="OK",
        start_time_ns=start_ms * MS,
        end_time_ns=(start_ms + 10) * MS,
        attributes={},
    )
    if model is None:
        return [root]
    llm = Span(
        trace_id=root.trace_id,
        span_id=f"{n + 1000:016x}",
        parent_span_id=root.span_id,
        name="llm",
        span_type="LLM",
        status_code="OK",
        start_time_ns=start_ms * MS,
        end_time_ns=(start_ms + 5) * MS,
        attributes={"mlflow.llm.model": model},
    )
    return [root, llm]


def seed(backend: Backend, exp: str, other: str) -> None:
    """Traces 1-2 in bucket 0 (gpt-a, tag env=prod), 3-4 in bucket 2 (gpt-b; 4 tagged dev),
    5 after the range, 6 in another experiment. ``correct``: 1 pass, 2 fail, 3 pass, 4 pass
    (and fail on 5 and 6); ``tone``: "no" on 1; a number on 1 (not a verdict)."""
    store = backend.traces
    plan = [
        (1, T0, "gpt-a"),
        (2, T0 + 500, "gpt-a"),
        (3, T0 + 2000, "gpt-b"),
        (4, T0 + 2100, "gpt-b"),
    ]
    for n, start, model in plan:
        store.log_spans(exp, _spans(n, start, model))
    store.log_spans(exp, _spans(5, T0 + 5000, None))
    store.log_spans(other, _spans(6, T0 + 100, None))
    for n, env in ((1, "prod"), (2, "prod"), (4, "dev")):
        store.set_trace_tag(f"tr-{n:032x}", "env", env)
    for n, linked in PROMPTS.items():
        store.set_trace_tag(f"tr-{n:032x}", "mlflow.linkedPrompts", json.dumps(linked))

    def fb(n: int, name: str, value: Any) -> None:
        store.create_assessment(Assessment("", f"tr-{n:032x}", name, "feedback", value))

    for n, value in ((1, True), (2, "fail"), (3, "Pass"), (4, "yes"), (5, False), (6, False)):
        fb(n, "correct", value)
    fb(1, "tone", "no")
    fb(1, "score", 0.5)


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
    """A trace store over the seed (REST: the server app's, over HTTP) and the experiment."""
    shared = request.param in ("postgres", "mysql")
    opened = workspaces.opened(request, tmp_path)
    backend = (
        next(opened)
        if opened
        else shared_backend(request, request.param)
        if shared
        else fresh_sqlite(request, tmp_path)
    )
    exp = backend.tracking.create_experiment("quality")
    seed(backend, exp, backend.tracking.create_experiment("other"))
    if request.param == "rest":
        with served(backend) as remote:
            yield remote.traces, exp
    else:
        yield backend.traces, exp
    if opened:
        next(opened, None)
    elif not shared:
        backend.close()


def _series(tracking: tuple[TraceStore, str], group_by: str = "") -> dict[Any, Any]:
    store, exp = tracking
    m = store.quality_metrics(exp, T0, END, 4, group_by)
    assert (m.start_ms, m.end_ms, m.bucket_ms, m.group_by) == (T0, END, 1000, group_by)
    return {(s.judge, s.group): (s.passed, s.total) for s in m.series}


def test_pass_rates_per_judge_and_bucket(tracking: tuple[TraceStore, str]) -> None:
    assert _series(tracking) == {
        ("correct", None): ([1, 0, 2, 0], [2, 0, 2, 0]),
        ("tone", None): ([0, 0, 0, 0], [1, 0, 0, 0]),
    }


def test_grouped_by_model(tracking: tuple[TraceStore, str]) -> None:
    got = _series(tracking, "model")
    assert got[("correct", "gpt-a")] == ([1, 0, 0, 0], [2, 0, 0, 0])
    assert got[("correct", "gpt-b")] == ([0, 0, 2, 0], [0, 0, 2, 0])
    assert got[("tone", "gpt-a")] == ([0, 0, 0, 0], [1, 0, 0, 0])


def test_grouped_by_tag_and_prompt_version(tracking: tuple[TraceStore, str]) -> None:
    by_tag = _series(tracking, "tag:env")
    assert by_tag[("correct", "prod")] == ([1, 0, 0, 0], [2, 0, 0, 0])
    assert by_tag[("correct", "dev")] == ([0, 0, 1, 0], [0, 0, 1, 0])
    assert by_tag[("correct", None)] == ([0, 0, 1, 0], [0, 0, 1, 0])  # trace 3: no env tag
    by_prompt = _series(tracking, "prompt")
    assert by_prompt[("correct", "qa v1")] == ([1, 0, 0, 0], [2, 0, 0, 0])
    assert by_prompt[("correct", "qa v2")] == ([0, 0, 1, 0], [0, 0, 1, 0])
    assert by_prompt[("correct", "qa v2, sys v7")] == ([0, 0, 1, 0], [0, 0, 1, 0])


@pytest.mark.parametrize("group_by", ["tag", "tag:", "models", "prompt:x", "judge"])
def test_bad_group_by(tracking: tuple[TraceStore, str], group_by: str) -> None:
    store, exp = tracking
    with pytest.raises(InvalidArgumentError):
        store.quality_metrics(exp, T0, END, 4, group_by)


def test_bad_range_and_unknown_experiment(tracking: tuple[TraceStore, str]) -> None:
    store, exp = tracking
    with pytest.raises(InvalidArgumentError):
        store.quality_metrics(exp, END, T0, 4)
    with pytest.raises(InvalidArgumentError):
        store.quality_metrics(exp, T0, END, 0)
    with pytest.raises(NotFoundError):
        store.quality_metrics("987654", T0, END, 4)
