"""``GET /api/3.0/ardea/evaluations/{summary,results,compare}`` over real SQLite stores."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.evaluation_seed import ERRORED, REGRESSED, ROWS, SeededEvaluations, seed_evaluations

from .support import Client, assert_error, create_experiment

BASE = "/api/3.0/ardea/evaluations"


@pytest.fixture
def seeded(client: Client) -> SeededEvaluations:
    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = client.post(path, json=body)
        assert r.status_code == 200, (path, r.text)
        answer: dict[str, Any] = r.json()
        return answer

    return seed_evaluations(post, create_experiment(client, "evals"))


def _get(client: Client, route: str, prefix: str = "/api", **params: Any) -> Any:
    r = client.get(f"{prefix}/3.0/ardea/evaluations/{route}", params=params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("prefix", ["/api", "/ajax-api"])
def test_summary_has_pass_rates_and_means_with_intervals(
    client: Client, seeded: SeededEvaluations, prefix: str
) -> None:
    body = _get(client, "summary", prefix, run_id=seeded.candidate_run)
    assert body["run_name"] == "eval-b" and body["is_evaluation"] is True
    assert body["n_rows"] == ROWS
    correct, length = body["scorers"]
    assert (correct["scorer"], correct["kind"]) == ("correct", "binary")
    assert (correct["n_missing"], correct["errors"], correct["n_valid"]) == (1, 1, ROWS - 1)
    rate = correct["estimates"][0]
    assert rate["name"] == "pass_rate" and rate["method"] == "wilson"
    assert rate["value"] == pytest.approx(3 / 11)
    assert rate["low"] < rate["value"] < rate["high"]
    assert correct["counts"] == [{"label": "pass", "count": 3}, {"label": "fail", "count": 8}]
    assert length["kind"] == "numeric"
    mean = next(e for e in length["estimates"] if e["name"] == "mean")
    assert mean["value"] == pytest.approx(15.5)
    assert mean["low"] < 15.5 < mean["high"]


def test_summary_computes_only_the_statistics_asked_for(
    client: Client, seeded: SeededEvaluations
) -> None:
    body = _get(client, "summary", run_id=seeded.baseline_run, statistics=["mean", "p50"])
    length = next(s for s in body["scorers"] if s["scorer"] == "length")
    assert [e["name"] for e in length["estimates"]] == ["mean", "p50"]
    r = client.get(f"{BASE}/summary", params={"run_id": seeded.baseline_run, "statistics": "avg"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "unknown statistic")


def test_results_rows_have_scores_rationales_errors_and_expectations(
    client: Client, seeded: SeededEvaluations
) -> None:
    body = _get(client, "results", run_id=seeded.candidate_run)
    assert body["scorers"] == ["correct", "length"]
    rows = body["rows"]
    assert [r["trace_id"] for r in rows] == seeded.candidate_traces
    first = rows[0]
    assert first["record_id"] == "dr-0000"
    assert first["scores"]["correct"] == {
        "value": False,
        "source_type": "LLM_JUDGE",
        "rationale": "contradicts the expected fact",
    }
    assert first["scores"]["length"] == {"value": 10, "source_type": "CODE"}
    assert first["expectations"] == {"expected_response": "fact 0"}
    assert "heron fact number 0" in first["request_preview"]
    errored = rows[ERRORED]["scores"]["correct"]
    assert errored["value"] is None and errored["error"] == "judge rate limited"
    assert "record_id" not in rows[ERRORED]


def test_compare_names_the_regression_and_the_traces_of_each_row(
    client: Client, seeded: SeededEvaluations
) -> None:
    body = _get(
        client,
        "compare",
        baseline_run_id=seeded.baseline_run,
        candidate_run_id=seeded.candidate_run,
    )
    assert body["n_pairs"] == ROWS
    assert body["unpaired_a"] == [] and body["unpaired_b"] == []
    assert body["correction"] == "holm"
    correct = next(s for s in body["scorers"] if s["scorer"] == "correct")
    assert correct["verdict"] == "regressed"
    assert correct["n_paired"] == ROWS - 1
    assert correct["diff"] == pytest.approx(3 / 11 - 1)
    assert correct["p_adjusted"] < 0.05
    assert correct["regressed_rows"] == [f"record:dr-{i:04d}" for i in REGRESSED]
    length = next(s for s in body["scorers"] if s["scorer"] == "length")
    assert length["verdict"] in ("no_significant_change", "insufficient_data")
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["record:dr-0000"] == {
        "key": "record:dr-0000",
        "baseline_trace_id": seeded.baseline_traces[0],
        "candidate_trace_id": seeded.candidate_traces[0],
    }


def test_compare_pairs_rows_without_record_ids_by_inputs(
    client: Client, seeded: SeededEvaluations
) -> None:
    body = _get(
        client,
        "compare",
        baseline_run_id=seeded.candidate_run,
        candidate_run_id=seeded.baseline_run,
        correction="bh",
        alpha=0.01,
    )
    correct = next(s for s in body["scorers"] if s["scorer"] == "correct")
    assert correct["verdict"] == "improved"
    assert (body["correction"], body["alpha"]) == ("bh", 0.01)
    assert body["n_pairs"] == ROWS  # rows 10 and 11 paired by their inputs


def test_errors(client: Client, seeded: SeededEvaluations) -> None:
    r = client.get(f"{BASE}/summary", params={"run_id": "0" * 32})
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")
    r = client.get(f"{BASE}/summary")
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")
    r = client.get(
        f"{BASE}/compare",
        params={
            "baseline_run_id": seeded.baseline_run,
            "candidate_run_id": seeded.candidate_run,
            "correction": "bonferroni",
        },
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "correction")
    r = client.get(
        f"{BASE}/compare",
        params={
            "baseline_run_id": seeded.baseline_run,
            "candidate_run_id": seeded.candidate_run,
            "alpha": 2,
        },
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "alpha")


def test_a_run_that_is_no_evaluation_has_no_rows(client: Client) -> None:
    exp = create_experiment(client, "plain")
    run = client.post("/api/2.0/mlflow/runs/create", json={"experiment_id": exp}).json()["run"]
    body = _get(client, "summary", run_id=run["info"]["run_id"])
    assert (body["is_evaluation"], body["n_rows"], body["scorers"]) == (False, 0, [])
