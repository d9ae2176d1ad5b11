"""What ``mlflow.genai.evaluate`` logs to ``ardea server`` reads back through Ardea's
``/ardea/evaluations`` routes (the web UI's Evaluations tab, results grid and comparison).

The stock client runs two evaluations of the same rows with code scorers only (no LLM): the
baseline's ``exact`` scorer passes every row, the candidate's fails half of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow.genai.scorers import scorer  # noqa: E402

pytestmark = pytest.mark.slow

ROWS = 8
DATA = [
    {"inputs": {"question": f"q{i}"}, "expectations": {"expected_response": f"a{i}"}}
    for i in range(ROWS)
]


@scorer
def exact(outputs: Any, expectations: dict[str, Any]) -> bool:
    """Whether the answer is the expected one."""
    return bool(outputs == expectations["expected_response"])


@scorer
def length(outputs: Any) -> int:
    """The answer's length."""
    return len(str(outputs))


@pytest.fixture
def server(mlflow_env: str, live_server_module: Any) -> Iterator[Any]:
    yield live_server_module
    mlflow.flush_trace_async_logging()
    mlflow.set_tracking_uri(None)


def _evaluate(name: str, wrong: set[int]) -> str:
    def predict(question: str) -> str:
        i = int(question[1:])
        return f"x{i}" if i in wrong else f"a{i}"

    with mlflow.start_run(run_name=name) as run:
        mlflow.genai.evaluate(data=DATA, predict_fn=predict, scorers=[exact, length])
    mlflow.flush_trace_async_logging()
    return str(run.info.run_id)


def _get(url: str, route: str, **params: str) -> Any:
    r = httpx.get(f"{url}/ajax-api/3.0/ardea/evaluations/{route}", params=params, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def test_mlflow_evaluations_read_back_and_compare(server: Any) -> None:
    mlflow.set_experiment("evaluate-ui-reads")
    baseline = _evaluate("baseline", set())
    candidate = _evaluate("candidate", set(range(0, ROWS, 2)))

    summary = _get(server.url, "summary", run_id=candidate)
    assert summary["is_evaluation"] is True and summary["n_rows"] == ROWS
    by_name = {s["scorer"]: s for s in summary["scorers"]}
    assert by_name["exact"]["kind"] == "binary"
    assert by_name["exact"]["estimates"][0]["value"] == pytest.approx(0.5)
    assert by_name["length"]["kind"] == "numeric"

    results = _get(server.url, "results", run_id=candidate)
    assert {"exact", "length"} <= set(results["scorers"])
    assert len(results["rows"]) == ROWS
    assert all(r["expectations"].get("expected_response") for r in results["rows"])
    verdicts = sorted(r["scores"]["exact"]["value"] for r in results["rows"])
    assert verdicts == [False] * 4 + [True] * 4

    comparison = _get(server.url, "compare", baseline_run_id=baseline, candidate_run_id=candidate)
    assert comparison["n_pairs"] == ROWS  # paired by inputs: MLflow writes no record id
    exact_cmp = next(s for s in comparison["scorers"] if s["scorer"] == "exact")
    assert exact_cmp["diff"] == pytest.approx(-0.5)
    assert len(exact_cmp["regressed_rows"]) == ROWS // 2
    rows = {r["key"]: r for r in comparison["rows"]}
    for key in exact_cmp["regressed_rows"]:
        assert rows[key]["baseline_trace_id"] and rows[key]["candidate_trace_id"]
