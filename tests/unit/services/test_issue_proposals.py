"""Issue proposals with a provider: embeddings and cluster names through ``ardea.llm`` against
the fake provider over HTTP; and bad bounds refused before anything is read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Feedback, Span
from ardea.entities.assessment import AssessmentSource
from ardea.services.issue_proposals import ProposalRequest, propose_issues
from ardea.store.backend import Backend
from ardea.store.resolve import resolve_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: F401
from fixtures.issue_rationales import rationales


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    made = resolve_backend(f"sqlite:///{tmp_path}/issues.db")
    yield made
    made.close()


@pytest.fixture
def provider(
    fake_llm: FakeLLMServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[FakeLLMServer]:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-issues")
    monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


def _seed(backend: Backend, n: int) -> str:
    exp = backend.tracking.create_experiment("issues")
    judge = AssessmentSource("LLM_JUDGE", "openai:/gpt-4o-mini")
    for i, (_, text) in enumerate(rationales(n, seed=2)):
        start = (1_700_000_000_000 + i) * 1_000_000
        trace_id = f"tr-{i:032x}"
        root = Span(
            trace_id=trace_id,
            span_id=f"{i + 1:016x}",
            parent_span_id=None,
            name="qa",
            span_type="CHAIN",
            status_code="OK",
            start_time_ns=start,
            end_time_ns=start + 1000,
            attributes={},
        )
        backend.traces.log_spans(exp, [root])
        verdict = Feedback(name="correct", value="FAIL", rationale=text, source=judge)
        verdict.trace_id = trace_id
        backend.traces.create_assessment(verdict)
    return exp


def test_provider_embeddings_and_summaries(backend: Backend, provider: FakeLLMServer) -> None:
    exp = _seed(backend, 12)
    ask = ProposalRequest(
        exp,
        embedding_model="openai:/text-embedding-3-small",
        summary_model="openai:/gpt-4o-mini",
        min_size=1,
    )
    for _ in range(200):
        provider.queue_chat("Refuses harmless questions")
    steps: list[str] = []
    found = propose_issues(backend.issues, ask, steps.append)
    assert found.failures == 12 and found.embedding == "openai:/text-embedding-3-small"
    assert steps[:2] == ["reading", "embedding"] and steps[-1] == "naming"
    assert sum(p.size for p in found.proposals) == 12
    assert {p.name for p in found.proposals} == {"Refuses harmless questions"}
    paths = [r.path for r in provider.requests]
    assert any(p.endswith("/embeddings") for p in paths)
    assert sum(p.endswith("/chat/completions") for p in paths) == len(found.proposals)


def test_time_range_and_judge_filter(backend: Backend) -> None:
    exp = _seed(backend, 6)
    assert propose_issues(backend.issues, ProposalRequest(exp, judge="other")).failures == 0
    later = ProposalRequest(exp, start_ms=1_700_000_000_003)  # traces 3, 4, 5
    assert propose_issues(backend.issues, later).failures == 3


@pytest.mark.parametrize(
    "bad",
    [
        {"threshold": 0},
        {"threshold": 3},
        {"min_size": 0},
        {"max_proposals": 0},
        {"max_failures": 0},
        {"start_ms": 5, "end_ms": 1},
    ],
)
def test_bad_bounds(backend: Backend, bad: dict[str, float]) -> None:
    with pytest.raises(InvalidArgumentError):
        propose_issues(backend.issues, ProposalRequest("0", **bad))  # type: ignore[arg-type]
