"""MLflow's trace analytics RPCs through the app: QueryTraceMetrics and
CalculateTraceFilterCorrelation (request parsing and answers; the semantics are the
contract suites' ``test_query_trace_metrics`` and ``test_trace_correlation``)."""

from __future__ import annotations

from typing import Any

import pytest

from .support import Client, create_experiment

V3 = "/api/3.0/mlflow/traces"


def record(client: Client, experiment_id: str, n: int, state: str, **tags: str) -> None:
    info = {
        "trace_id": f"tr-{n:032x}",
        "trace_location": {
            "type": "MLFLOW_EXPERIMENT",
            "mlflow_experiment": {"experiment_id": experiment_id},
        },
        "request_time": "2026-01-01T00:00:00Z",
        "execution_duration": f"0.{n}s",
        "state": state,
        "tags": tags,
    }
    r = client.post(V3, json={"trace": {"trace_info": info}})
    assert r.status_code == 200, r.text


@pytest.fixture
def exp(client: Client) -> str:
    experiment_id = create_experiment(client)
    record(client, experiment_id, 1, "OK", env="prod")
    record(client, experiment_id, 2, "OK", env="dev")
    record(client, experiment_id, 3, "ERROR", env="prod")
    return experiment_id


def test_metrics_answer_with_enum_numbers_camel_case_and_a_page_token(
    client: Client, exp: str
) -> None:
    body = {
        "experimentIds": [exp],
        "viewType": 1,
        "metricName": "latency",
        "aggregations": [
            {"aggregationType": 4, "percentileValue": "50"},
            {"aggregation_type": "MAX"},
        ],
        "filters": ["trace.status = 'OK'"],
        "page_token": "ignored",
    }
    r = client.post(f"{V3}/metrics", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "data_points": [
            {"metric_name": "latency", "dimensions": {}, "values": {"P50.0": 150.0, "MAX": 200.0}}
        ]
    }
    by_status = {
        "experiment_ids": [exp],
        "view_type": "TRACES",
        "metric_name": "trace_count",
        "aggregations": [{"aggregation_type": "COUNT"}],
        "dimensions": ["trace_status"],
    }
    ajax = client.post("/ajax-api/3.0/mlflow/traces/metrics", json={**by_status, "max_results": 1})
    assert ajax.json()["data_points"] == [
        {
            "metric_name": "trace_count",
            "dimensions": {"trace_status": "ERROR"},
            "values": {"COUNT": 1},
        }
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"view_type": "RUNS"},
        {"metric_name": None},
        {"aggregations": []},
        {"aggregations": [{"percentile_value": 5}]},
        {"experiment_ids": []},
        {"max_results": "many"},
        {"filters": ["trace.status > 'OK'"]},
    ],
)
def test_bad_metric_queries_are_400(client: Client, exp: str, change: dict[str, Any]) -> None:
    body = {
        "experiment_ids": [exp],
        "view_type": "TRACES",
        "metric_name": "trace_count",
        "aggregations": [{"aggregation_type": "COUNT"}],
        **change,
    }
    r = client.post(f"{V3}/metrics", json={k: v for k, v in body.items() if v is not None})
    assert (r.status_code, r.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE"), r.text


def test_correlation_answers_counts_and_leaves_an_undefined_npmi_out(
    client: Client, exp: str
) -> None:
    path = f"{V3}/calculate-filter-correlation"
    body = {"experiment_ids": [exp], "filter_string1": "tags.env = 'prod'"}
    r = client.post(path, json={**body, "filter_string2": "status = 'ERROR'"}).json()
    assert (r["total_count"], r["filter1_count"], r["filter2_count"], r["joint_count"]) == (
        3,
        2,
        1,
        1,
    )
    assert 0 < r["npmi"] <= 1 and "npmi_smoothed" in r
    none = client.post(path, json={**body, "filter_string2": "tags.env = 'qa'"}).json()
    assert "npmi" not in none and "npmi_smoothed" not in none and none["filter2_count"] == 0
    for bad in (
        {**body},
        {**body, "filter_string2": "nonsense"},
        {"filter_string1": "a", "filter_string2": "b"},
    ):
        r2 = client.post(path, json=bad)
        assert (r2.status_code, r2.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
