"""Judge alignment against a live ``ardea server``: the SDK aligns a judge on traces labelled by
people (judge calls client-side, to the fake provider) and the server keeps the new scorer
version and the lineage, read back over REST by ``ArdeaClient`` and by plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import ardea
from ardea.entities import AssessmentSource
from ardea.evaluation.alignment import MemoryJudge, align
from ardea.evaluation.scorers.judge import make_judge
from ardea.evaluation.scorers.registered import get_scorer
from ardea.tracing import provider
from fixtures.alignment_rules import GUIDELINE, INSTRUCTIONS, judge_rule, rows
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.slow


@pytest.fixture
def server(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    uri = str(live_server.url)
    provider.reset()
    provider.configure(schedule_delay=0.05)
    ardea.set_tracking_uri(uri)
    yield uri
    provider.reset()
    ardea.set_tracking_uri(None)


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as fake:
        fake.rule = judge_rule
        monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-align")
        monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
        monkeypatch.setenv("ARDEA_PROGRESS", "0")
        yield fake


def _labelled_traces(truth: str) -> list[Any]:
    answers = {r["inputs"]["question"]: r for r in rows(40, truth=truth)}

    @ardea.trace
    def app(question: str) -> str:
        return str(answers[question]["outputs"])

    ids = set()
    for question, row in answers.items():
        app(question)
        trace_id = ardea.get_last_active_trace_id()
        assert trace_id is not None
        ids.add(trace_id)
        human = AssessmentSource("HUMAN", "reviewer@example.com")
        ardea.log_feedback(trace_id=trace_id, name="cited", value=row["label"], source=human)
    ardea.flush()
    found = [t for t in ardea.search_traces(return_type="list") if t.info.trace_id in ids]
    assert len(found) == 40
    return found


def test_align_over_rest_registers_and_records(server: str, llm: FakeLLMServer) -> None:
    ardea.set_experiment("align-http")
    traces = _labelled_traces("source")
    judge = make_judge(name="cited", instructions=INSTRUCTIONS, feedback_value_type=bool,
                       model="openai:/gpt-4.1-mini")  # fmt: skip
    result = align(judge, traces, min_holdout=5)
    assert result.promoted and (result.base_version, result.new_version) == (1, 2)
    experiment = traces[0].info.experiment_id
    latest = get_scorer("cited", experiment_id=experiment)
    assert isinstance(latest, MemoryJudge) and latest.guidelines == [GUIDELINE]

    rejected = align(latest.base, _labelled_traces("inverted"), min_holdout=5)
    assert not rejected.promoted

    client = ardea.ArdeaClient(server)
    history = client.list_judge_alignments(experiment, "cited")
    assert [a.promoted for a in history] == [True, False]
    assert history[0] == result.alignment
    assert client.get_judge_alignment(experiment, history[1].alignment_id) == history[1]
    raw = httpx.get(
        f"{server}/ajax-api/3.0/ardea/judges/alignments/list",
        params={"experiment_id": experiment},
    ).json()
    assert [a["optimizer"] for a in raw["alignments"]] == ["memalign", "memalign"]
    assert raw["alignments"][0]["after"]["estimates"][1]["name"] == "kappa"
