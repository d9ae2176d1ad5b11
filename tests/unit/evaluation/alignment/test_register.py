"""``align()`` on traces labelled by people: the registry gets the new version and the lineage."""

from __future__ import annotations

from typing import Any

import pytest

import ardea
from ardea.entities import AssessmentSource
from ardea.evaluation.alignment import MemoryJudge, align
from ardea.evaluation.scorers.judge import make_judge
from ardea.evaluation.scorers.registered import get_scorer, list_scorer_versions
from fixtures.alignment_rules import GUIDELINE, INSTRUCTIONS, judge_rule, rows
from fixtures.fake_llm_server import FakeLLMServer


def _labelled_traces(truth: str) -> list[Any]:
    answers = {r["inputs"]["question"]: r for r in rows(40, truth=truth)}

    @ardea.trace
    def app(question: str) -> str:
        return str(answers[question]["outputs"])

    for question, row in answers.items():
        app(question)
        trace_id = ardea.get_last_active_trace_id()
        assert trace_id is not None
        human = AssessmentSource("HUMAN", "alice@example.com")
        ardea.log_feedback(trace_id=trace_id, name="cited", value=row["label"], source=human)
        # A judge's own verdict on the same trace is never taken for a label.
        judge = AssessmentSource("LLM_JUDGE", "openai:/gpt-4.1-mini")
        ardea.log_feedback(trace_id=trace_id, name="cited", value=True, source=judge)
    ardea.flush()
    return ardea.search_traces(return_type="list")  # type: ignore[no-any-return]


@pytest.fixture
def world(judge_llm: FakeLLMServer) -> FakeLLMServer:
    judge_llm.rule = judge_rule
    return judge_llm


def _judge() -> Any:
    return make_judge(name="cited", instructions=INSTRUCTIONS, feedback_value_type=bool,
                      model="openai:/gpt-4.1-mini")  # fmt: skip


def test_promoted_judge_becomes_the_next_version_with_its_lineage(
    world: FakeLLMServer, store: str
) -> None:
    traces = _labelled_traces("source")
    judge = _judge()
    judge.register()
    result = align(judge, traces, min_holdout=5)
    assert result.promoted, result.reason
    assert (result.base_version, result.new_version) == (1, 2)
    experiment = traces[0].info.experiment_id
    assert [v.version for v in list_scorer_versions("cited", experiment_id=experiment)] == [1, 2]
    latest = get_scorer("cited", experiment_id=experiment)
    assert isinstance(latest, MemoryJudge) and latest.guidelines == [GUIDELINE]

    client = ardea.get_client()
    (record,) = client.backend.scorers.list_judge_alignments(experiment, "cited")
    assert record == result.alignment
    assert record.promoted and record.optimizer == "memalign" and record.new_version == 2
    assert record.labels["count"] == 40
    assert sorted(record.labels["trace_ids"]) == sorted(t.info.trace_id for t in traces)
    assert len(record.labels["assessment_ids"]) == 40
    assert record.after["estimates"][0]["name"] == "accuracy"
    assert record.params["retrieval_k"] == 5


def test_rejected_run_is_recorded_and_registers_nothing(world: FakeLLMServer, store: str) -> None:
    traces = _labelled_traces("inverted")
    result = align(_judge(), traces, min_holdout=5)  # the judge was never registered
    assert not result.promoted
    assert result.base_version is None and result.new_version is None
    experiment = traces[0].info.experiment_id
    with pytest.raises(ardea.NotFoundError):
        list_scorer_versions("cited", experiment_id=experiment)
    (record,) = ardea.get_client().backend.scorers.list_judge_alignments(experiment, "cited")
    assert not record.promoted and record.reason.startswith("rejected")
