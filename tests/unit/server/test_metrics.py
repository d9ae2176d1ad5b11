"""Metric-history RPCs through the app, on a real SQLite store."""

from __future__ import annotations

import pytest

from .support import PREFIXES, Client, assert_error, create_experiment, create_run

M = "/api/2.0/mlflow/metrics"


@pytest.fixture
def runs(client: Client) -> list[str]:
    exp_id = create_experiment(client)
    ids = []
    for r in range(2):
        run_id = create_run(client, exp_id)["info"]["run_id"]
        metrics = [
            {"key": "loss", "value": 10 * r + s, "timestamp": 100 + s, "step": s} for s in range(5)
        ]
        resp = client.post(
            "/api/2.0/mlflow/runs/log-batch", json={"run_id": run_id, "metrics": metrics}
        )
        assert resp.status_code == 200
        ids.append(run_id)
    return ids


@pytest.mark.parametrize("prefix", PREFIXES)
def test_get_history_all_points_without_run_id(
    client: Client, runs: list[str], prefix: str
) -> None:
    r = client.get(
        f"{prefix}/mlflow/metrics/get-history",
        params={"run_id": runs[0], "run_uuid": runs[0], "metric_key": "loss"},
    )
    assert r.status_code == 200, r.text
    metrics = r.json()["metrics"]
    assert [m["step"] for m in metrics] == [0, 1, 2, 3, 4]
    assert all("run_id" not in m for m in metrics)
    assert metrics[0] == {"key": "loss", "value": 0.0, "timestamp": 100, "step": 0}


def test_get_history_pages(client: Client, runs: list[str]) -> None:
    steps: list[int] = []
    token = None
    for _ in range(10):
        params = {"run_id": runs[0], "metric_key": "loss", "max_results": "2"}
        if token:
            params["page_token"] = token
        body = client.get(f"{M}/get-history", params=params).json()
        steps += [m["step"] for m in body["metrics"]]
        token = body.get("next_page_token")
        if not token:
            break
    assert steps == [0, 1, 2, 3, 4]


def test_get_history_errors(client: Client, runs: list[str]) -> None:
    r = client.get(f"{M}/get-history", params={"run_id": runs[0]})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'metric_key'")
    r = client.get(
        f"{M}/get-history", params={"run_id": runs[0], "metric_key": "loss", "max_results": "0"}
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "max_results")
    r = client.get(
        f"{M}/get-history", params={"run_id": runs[0], "metric_key": "loss", "max_results": "x"}
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "max_results")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_bulk_interval(client: Client, runs: list[str], prefix: str) -> None:
    r = client.get(
        f"{prefix}/mlflow/metrics/get-history-bulk-interval",
        params=[("run_ids", runs[0]), ("run_ids", runs[1]), ("metric_key", "loss")],
    )
    assert r.status_code == 200, r.text
    metrics = r.json()["metrics"]
    assert len(metrics) == 10
    assert {m["run_id"] for m in metrics} == set(runs)
    r = client.get(
        f"{prefix}/mlflow/metrics/get-history-bulk-interval",
        params=[
            ("run_ids", runs[0]),
            ("metric_key", "loss"),
            ("start_step", "1"),
            ("end_step", "3"),
        ],
    )
    assert [m["step"] for m in r.json()["metrics"]] == [1, 2, 3]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([("metric_key", "loss")], "'run_ids'"),
        ([("run_ids", "x"), ("metric_key", "loss"), ("start_step", "1")], "both"),
        (
            [("run_ids", "x"), ("metric_key", "loss"), ("start_step", "3"), ("end_step", "1")],
            "end_step",
        ),
        ([("run_ids", "x"), ("metric_key", "loss"), ("max_results", "2501")], "max_results"),
        ([("run_ids", str(i)) for i in range(101)] + [("metric_key", "k")], "at most 100"),
    ],
)
def test_bulk_interval_errors(client: Client, params: list[tuple[str, str]], message: str) -> None:
    r = client.get(f"{M}/get-history-bulk-interval", params=params)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", message)


def test_ajax_get_history_bulk(client: Client, runs: list[str]) -> None:
    r = client.get(
        "/ajax-api/2.0/mlflow/metrics/get-history-bulk",
        params=[("run_id", runs[1]), ("run_id", runs[0]), ("metric_key", "loss")],
    )
    assert r.status_code == 200, r.text
    metrics = r.json()["metrics"]
    assert len(metrics) == 10 and {m["run_id"] for m in metrics} == set(runs)
    r = client.get("/ajax-api/2.0/mlflow/metrics/get-history-bulk", params={"metric_key": "l"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "at least one run_id")
    # Served only under the ajax prefix.
    r = client.get(
        "/api/2.0/mlflow/metrics/get-history-bulk",
        params=[("run_id", runs[0]), ("metric_key", "loss")],
    )
    assert_error(r, 404, "ENDPOINT_NOT_FOUND")
