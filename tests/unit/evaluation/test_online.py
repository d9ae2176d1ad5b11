"""Running one online scoring row (``ardea.evaluation.online``): feedbacks on the root span,
a trace without its root span not ready yet, scorers that fail, the scorer cache."""

from __future__ import annotations

import asyncio
import json

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.online import NotReady, ScorerCache, WorkFailed, score_work, trace_ready
from ardea.evaluation.scorers.base import scorer
from fixtures.scorer_traces import span, trace


def _trace(answer: str = "Paris") -> object:
    return trace(span("root1", "app", inputs={"q": "capital?"}, outputs=answer))


@scorer
def short(outputs: str) -> bool:
    """Pass when the answer is short."""
    return len(outputs) < 10


@scorer
def broken(outputs: str) -> bool:
    """Always raises."""
    raise RuntimeError("scorer bug")


def test_feedbacks_land_on_the_root_span() -> None:
    [feedback] = asyncio.run(score_work(short, _trace()))
    assert (feedback.name, feedback.value, feedback.span_id) == ("short", True, "root1")
    assert feedback.source.source_type == "CODE"


def test_a_trace_without_its_root_span_is_not_ready() -> None:
    child = trace(span("c1", "step", parent="root1", outputs="x"))
    assert not trace_ready(child) and trace_ready(_trace())
    with pytest.raises(NotReady):
        asyncio.run(score_work(short, child))


def test_a_scorer_that_raises_fails_the_work_with_its_message() -> None:
    with pytest.raises(WorkFailed, match="scorer bug"):
        asyncio.run(score_work(broken, _trace()))


def test_the_server_cache_refuses_code_and_reuses_judges() -> None:
    cache = ScorerCache(allow_code=False)
    code = json.dumps({"name": "short", "call_source": "return True"})
    with pytest.raises(InvalidArgumentError, match="does not execute code"):
        cache.get("s1", 1, "short", code)
    judge = json.dumps(
        {
            "name": "polite",
            "instructions_judge_pydantic_data": {"instructions": "{{ outputs }}?", "model": "a:/b"},
        }
    )
    first = cache.get("s2", 1, "polite", judge)
    assert first.is_judge and cache.get("s2", 1, "polite", judge) is first
    local = ScorerCache(allow_code=True, local={"short": short})
    assert local.get("s1", 1, "short", code) is short
