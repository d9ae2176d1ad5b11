"""Session-level scorers and ``quality_criteria`` against a live ``ardea server``, written by
``ardea.evaluate`` and by ``mlflow.genai.evaluate`` (3.18) over the same multi-turn traces,
both read with the stock ``mlflow`` client: the two runs have the same shape (tags, metrics,
where the session assessments are)."""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ardea
from ardea.scorers import ConversationCompleteness, scorer
from ardea.tracing import provider
from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: F401

mlflow = pytest.importorskip("mlflow")

pytestmark = pytest.mark.slow

CRITERIA = "turns >= 2 AND `turns/max` <= 3 AND short >= 0.5"


@pytest.fixture
def server(
    mlflow_env: str,
    fake_llm: FakeLLMServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[str]:
    """The module's server for Ardea and mlflow; judges on the fake provider."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-evaluate")
    monkeypatch.setenv("ARDEA_CREDENTIALS_FILE", str(tmp_path / "credentials.toml"))
    monkeypatch.setenv("ARDEA_EVAL_CACHE", str(tmp_path / "cache.sqlite"))
    fake_llm.reset()
    provider.reset()
    provider.configure(schedule_delay=0.05)
    ardea.set_tracking_uri(mlflow_env)
    yield mlflow_env
    mlflow.flush_trace_async_logging()
    provider.reset()
    ardea.set_tracking_uri(None)


def _conversations(experiment_id: str) -> list[Any]:
    """Two sessions (3 and 2 turns) traced by mlflow itself, and one lone trace."""

    @mlflow.trace
    def chat(message: str, session: str | None) -> str:
        if session is not None:
            mlflow.update_current_trace(session_id=session)
        return f"ok {message}"

    for message, session in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("b2", "B"), ("a3", "A")]:
        chat(message, session)
        time.sleep(0.002)  # distinct request times (ms): the turn order is defined
    chat("lonely", None)
    mlflow.flush_trace_async_logging()
    traces = mlflow.search_traces(locations=[experiment_id], return_type="list")
    assert len(traces) == 6
    return traces  # type: ignore[no-any-return]


def _session_assessments(experiment_id: str, run_id: str, name: str) -> dict[str, Any]:
    """``{session id: (trace id, assessment)}`` of ``name`` logged by ``run_id``."""
    found = {}
    for t in mlflow.search_traces(locations=[experiment_id], return_type="list"):
        for a in t.info.assessments:
            if a.name == name and a.metadata.get("mlflow.assessment.sourceRunId") == run_id:
                root = next(s for s in t.data.spans if s.parent_id is None)
                assert a.span_id == root.span_id
                found[a.metadata["mlflow.trace.session"]] = (t.info.trace_id, a)
    return found


def test_ardea_and_mlflow_log_sessions_and_criteria_alike(
    server: str,
    fake_llm: FakeLLMServer,  # noqa: F811
) -> None:
    exp = mlflow.set_experiment("sessions-both-ways")
    ardea.set_experiment(experiment_id=exp.experiment_id)
    traces = _conversations(exp.experiment_id)
    first_turn = {
        s: t.info.trace_id
        for t in sorted(traces, key=lambda t: t.info.request_time, reverse=True)
        if (s := t.info.trace_metadata.get("mlflow.trace.session"))
    }

    @mlflow.genai.scorer
    def turns(session: list[Any]) -> int:
        return len(session)

    @mlflow.genai.scorer
    def short(outputs: Any) -> bool:
        return len(str(outputs)) < 10

    # quality_criteria is new in mlflow 3.18: the 3.17 pass compares the sessions only
    has_criteria = "quality_criteria" in inspect.signature(mlflow.genai.evaluate).parameters
    theirs = mlflow.genai.evaluate(
        data=mlflow.search_traces(locations=[exp.experiment_id]),
        scorers=[turns, short],
        **({"quality_criteria": CRITERIA} if has_criteria else {}),
    )
    mlflow.flush_trace_async_logging()

    @scorer(name="turns")
    def ardea_turns(session: list[Any]) -> int:
        return len(session)

    @scorer(name="short")
    def ardea_short(outputs: Any) -> bool:
        return len(str(outputs)) < 10

    ours = ardea.evaluate(
        ardea.search_traces(experiment_ids=[exp.experiment_id]),
        scorers=[ardea_turns, ardea_short, ConversationCompleteness(model="openai:/gpt-4.1-mini")],
        quality_criteria=CRITERIA,
    )
    assert len(fake_llm.requests_to("/chat/completions")) == 2  # one per session
    assert ours.passed_quality_criteria is True

    client = mlflow.MlflowClient()
    mine, other = client.get_run(ours.run_id), client.get_run(theirs.run_id)
    for run in (mine, other):
        assert run.info.status == "FINISHED"
        assert run.data.metrics["turns/mean"] == 2.5
        assert run.data.metrics["short/mean"] == 1.0
    assert mine.data.metrics["turns/max"] == 3.0  # computed for the criterion
    tag = "mlflow.genaiEvaluate.qualityCriteria"
    mine_rules = json.loads(mine.data.tags[tag])
    assert mine_rules["schemaVersion"] == 1
    if has_criteria:
        assert other.data.metrics["turns/max"] == 3.0
        assert mine_rules["rules"] == json.loads(other.data.tags[tag])["rules"]
    assert "conversation_completeness/mean" in mine.data.metrics

    # The session's assessment is on its first turn's trace, tagged with the session, in both.
    for run_id in (ours.run_id, theirs.run_id):
        placed = _session_assessments(exp.experiment_id, run_id, "turns")
        assert {s: tid for s, (tid, _) in placed.items()} == first_turn
        assert {s: a.value for s, (_, a) in placed.items()} == {"A": 3, "B": 2}
    judged = _session_assessments(exp.experiment_id, ours.run_id, "conversation_completeness")
    assert {s: tid for s, (tid, _) in judged.items()} == first_turn
    assert judged["A"][1].source.source_type == "LLM_JUDGE"

    # mlflow's own search result (mlflow Trace objects) is grouped the same way by Ardea.
    from_mlflow = ardea.evaluate(
        mlflow.search_traces(locations=[exp.experiment_id]), scorers=[ardea_turns]
    )
    assert sorted(s.scores()["turns"] for s in from_mlflow.sessions) == [2, 3]

    # Every trace carries the single-turn scorer's assessment from both runs.
    for t in mlflow.search_traces(locations=[exp.experiment_id], return_type="list"):
        runs = {
            a.metadata.get("mlflow.assessment.sourceRunId")
            for a in t.info.assessments
            if a.name == "short"
        }
        assert runs == {ours.run_id, theirs.run_id}


def test_mlflow_reads_predict_fn_sessions_from_ardea(server: str) -> None:
    exp = mlflow.set_experiment("ardea-predicts-sessions")
    ardea.set_experiment(experiment_id=exp.experiment_id)

    def app(message: str) -> str:
        return f"ok {message}"

    @scorer
    def turns(session: list[Any]) -> int:
        return len(session)

    rows = [
        {"inputs": {"message": m}, "session_id": s}
        for m, s in [("x1", "X"), ("y1", "Y"), ("x2", "X")]
    ]
    result = ardea.evaluate(rows, scorers=[turns], predict_fn=app, quality_criteria="turns >= 2")
    assert result.passed_quality_criteria is False
    traces = mlflow.search_traces(
        locations=[exp.experiment_id], run_id=result.run_id, return_type="list"
    )
    assert sorted(t.info.trace_metadata["mlflow.trace.session"] for t in traces) == [
        "X",
        "X",
        "Y",
    ]
    placed = _session_assessments(exp.experiment_id, result.run_id, "turns")
    assert {s: a.value for s, (_, a) in placed.items()} == {"X": 2, "Y": 1}
    run = mlflow.MlflowClient().get_run(result.run_id)
    assert run.data.metrics["turns/mean"] == 1.5
    assert json.loads(run.data.tags["mlflow.genaiEvaluate.qualityCriteria"])["rules"] == [
        {"metricKey": "turns/mean", "comparator": "GTE", "threshold": 2.0}
    ]
