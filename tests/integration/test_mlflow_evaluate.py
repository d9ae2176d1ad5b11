"""Evaluations against a live ``ardea server``, read both ways with the stock ``mlflow`` 3.18
client: ``ardea.evaluate``'s results through ``mlflow.search_traces`` / ``get_run``, and
``mlflow.genai.evaluate`` run by mlflow itself, then read and compared by Ardea."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ardea
from ardea.scorers import Correctness, ExactMatch, scorer
from ardea.tracing import provider
from fixtures.fake_llm_server import FakeLLMServer, fake_llm  # noqa: F401

mlflow = pytest.importorskip("mlflow")

pytestmark = pytest.mark.slow

ROWS = [
    {"inputs": {"question": f"{i}+{i}?"}, "expectations": {"expected_response": str(2 * i)}}
    for i in range(8)
]


def app(question: str) -> str:
    a, _ = question.rstrip("?").split("+")
    return str(2 * int(a))


MORE_ROWS = [
    {"inputs": {"question": f"{i}+{i}?"}, "expectations": {"expected_response": str(2 * i)}}
    for i in range(20)
]


def worse(question: str) -> str:
    """Wrong on 8 of the 20 rows of MORE_ROWS."""
    return "?" if int(question.split("+")[0]) % 5 < 2 else app(question)


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


def test_mlflow_reads_an_ardea_evaluation(server: str, fake_llm: FakeLLMServer) -> None:  # noqa: F811
    exp = ardea.set_experiment("ardea-evaluates")
    result = ardea.evaluate(
        ROWS,
        scorers=[Correctness(model="openai:/gpt-4.1-mini"), ExactMatch()],
        predict_fn=app,
    )
    assert len(fake_llm.requests_to("/chat/completions")) == len(ROWS)

    run = mlflow.MlflowClient().get_run(result.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.tags["mlflow.runType"] == "genai_evaluate"
    assert run.data.metrics["exact_match/mean"] == 1.0
    assert run.data.metrics["correctness/mean"] == result.metrics["correctness/mean"]
    assert run.inputs.dataset_inputs[0].dataset.name == "dataset"

    traces = mlflow.search_traces(
        locations=[exp.experiment_id], run_id=result.run_id, return_type="list"
    )
    assert len(traces) == len(ROWS)
    for t in traces:
        assert t.info.trace_metadata["mlflow.sourceRun"] == result.run_id
        feedback = {a.name: a for a in t.info.assessments if a.feedback is not None}
        assert set(feedback) == {"correctness", "exact_match"}
        assert feedback["exact_match"].value is True
        assert feedback["exact_match"].metadata["mlflow.assessment.sourceRunId"] == result.run_id
        assert feedback["correctness"].source.source_type == "LLM_JUDGE"
        (expectation,) = [a for a in t.info.assessments if a.expectation is not None]
        assert expectation.name == "expected_response"
        assert expectation.source.source_type == "HUMAN"
    df = mlflow.search_traces(locations=[exp.experiment_id], run_id=result.run_id)
    assert len(df) == len(ROWS)


def test_mlflow_genai_evaluate_against_ardea_is_read_by_ardea(server: str) -> None:
    exp = mlflow.set_experiment("mlflow-evaluates")

    @mlflow.genai.scorer
    def exact(outputs: Any, expectations: dict[str, Any]) -> bool:
        return bool(outputs == expectations["expected_response"])

    baseline = mlflow.genai.evaluate(data=MORE_ROWS, scorers=[exact], predict_fn=app)
    mlflow.flush_trace_async_logging()
    assert baseline.metrics["exact/mean"] == 1.0

    run = ardea.get_run(baseline.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.metric_values["exact/mean"] == 1.0
    traces = ardea.search_traces(
        experiment_ids=[exp.experiment_id], run_id=baseline.run_id, return_type="list"
    )
    assert len(traces) == len(MORE_ROWS)
    for t in traces:
        names = {a.name for a in t.info.assessments}
        assert {"exact", "expected_response"} <= names

    # The same rows evaluated by Ardea with a candidate that regresses; compared across clients.
    ardea.set_experiment(experiment_id=exp.experiment_id)

    @scorer(name="exact")
    def exact_ardea(outputs: Any, expectations: dict[str, Any]) -> bool:
        return bool(outputs == expectations["expected_response"])

    candidate = ardea.evaluate(MORE_ROWS, scorers=[exact_ardea], predict_fn=worse)
    comparison = ardea.compare_evaluations(baseline.run_id, candidate.run_id)
    assert comparison.n_pairs == len(MORE_ROWS)
    s = comparison.scorer("exact")
    assert s.n_paired == len(MORE_ROWS)
    assert s.diff == pytest.approx(-8 / 20)
    assert len(s.regressed_rows) == 8
    assert s.verdict == "regressed"
    with pytest.raises(AssertionError, match="regressed"):
        ardea.assert_no_regression(comparison)

    again = mlflow.genai.evaluate(data=MORE_ROWS, scorers=[exact], predict_fn=app)
    mlflow.flush_trace_async_logging()
    ardea.assert_no_regression(ardea.compare_evaluations(baseline.run_id, again.run_id))
