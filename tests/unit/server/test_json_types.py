"""Wrongly typed JSON values get MLflow's 400, and MLflow's accepted coercions still pass.

The expectations were recorded against MLflow 3.17.2's own server (its Flask app, SQLite store,
``_get_request_message``: protobuf ``ParseDict``, then the handler's type checks on top-level
fields): ``mlflow`` is the status and message it answered. Where MLflow silently accepts a
wrongly typed *nested* value (and then stores a partly parsed message: ``tags[0].value = 5``
drops the tag, ``experiment_ids: [0]`` searches nothing) Ardea answers 400 instead, naming the
nested field; those rows say ``ardea_only``. Issue 11, Part C, item 8.
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import Client, create_experiment, create_run

HINT = " See the API docs for more information about request parameters."


def _hint(value: str, param: str, type_name: str) -> str:
    """MLflow's message for a value of the wrong type (note the two spaces after ':')."""
    return f"Invalid value {value} for parameter '{param}' supplied:  Hint: Value was of type '{type_name}'.{HINT}"  # noqa: E501


# (path, body, MLflow's answer: (status, message or None = not compared))
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("experiments/create", {"name": 5}, _hint("5", "name", "int")),
    ("experiments/create", {"name": True}, _hint("true", "name", "bool")),
    ("experiments/create", {"name": ["x"]}, _hint('["x"]', "name", "list")),
    ("experiments/create", {"name": {"a": 1}}, _hint('{"a":1}', "name", "dict")),
    (
        "experiments/create",
        {"name": "e", "artifact_location": 5},
        _hint("5", "artifact_location", "int"),
    ),
    (
        "experiments/create",
        {"name": "e", "tags": {"key": "a"}},
        _hint('{"key":"a"}', "tags", "dict"),
    ),
    ("experiments/search", {"max_results": "abc"}, _hint('"abc"', "max_results", "str")),
    ("experiments/search", {"max_results": 10, "filter": 5}, _hint("5", "filter", "int")),
    (
        "experiments/search",
        {"max_results": 10, "order_by": "name"},
        _hint('"name"', "order_by", "str"),
    ),
    (
        "experiments/update",
        {"experiment_id": "{exp}", "new_name": 5},
        _hint("5", "new_name", "int"),
    ),
    (
        "experiments/set-experiment-tag",
        {"experiment_id": "{exp}", "key": "k", "value": 5},
        _hint("5", "value", "int"),
    ),
    ("runs/create", {"experiment_id": 0}, _hint("0", "experiment_id", "int")),
    (
        "runs/create",
        {"experiment_id": "{exp}", "start_time": "abc"},
        _hint('"abc"', "start_time", "str"),
    ),
    ("runs/create", {"experiment_id": "{exp}", "run_name": 7}, _hint("7", "run_name", "int")),
    ("runs/search", {"experiment_ids": "0"}, _hint('"0"', "experiment_ids", "str")),
    (
        "runs/log-metric",
        {"run_id": "{run}", "key": "k", "value": "abc", "timestamp": 1},
        _hint('"abc"', "value", "str"),
    ),
    (
        "runs/log-metric",
        {"run_id": "{run}", "key": 5, "value": 1, "timestamp": 1},
        _hint("5", "key", "int"),
    ),
    ("runs/log-parameter", {"run_id": "{run}", "key": "p", "value": 5}, _hint("5", "value", "int")),
    ("runs/set-tag", {"run_id": "{run}", "key": "t", "value": 5}, _hint("5", "value", "int")),
    ("runs/set-tag", {"run_id": 5, "key": "t", "value": "v"}, _hint("5", "run_id", "int")),
    (
        "runs/log-batch",
        {"run_id": "{run}", "metrics": {"key": "m"}},
        _hint('{"key":"m"}', "metrics", "dict"),
    ),
    ("runs/update", {"run_id": "{run}", "run_name": 5}, _hint("5", "run_name", "int")),
    (
        "registered-models/create",
        {"name": "m2", "description": 5},
        _hint("5", "description", "int"),
    ),
    (
        "registered-models/set-tag",
        {"name": "m", "key": "k", "value": 5},
        _hint("5", "value", "int"),
    ),
    ("model-versions/create", {"name": "m", "source": 5}, _hint("5", "source", "int")),
    (
        "registered-models/alias",
        {"name": "m", "alias": "a", "version": 1},
        _hint("1", "version", "int"),
    ),
    (
        "model-versions/transition-stage",
        {"name": "m", "version": "1", "stage": "Staging", "archive_existing_versions": "true"},
        _hint('"true"', "archive_existing_versions", "str"),
    ),
    ("logged-models", {"experiment_id": "{exp}", "name": 5}, _hint("5", "name", "int")),
]

# Bodies MLflow accepts (200) although not canonically typed: protobuf's JSON coercions.
ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("experiments/search", {"max_results": "10"}),  # int64 as a string (proto3 JSON)
    ("experiments/search", {"max_results": 10.0}),  # an integral double for an int64
    ("experiments/search", {"max_results": 10, "view_type": 1}),  # an enum by number
    ("experiments/search", {"max_results": 10, "view_type": "1"}),  # ... as a string
    ("runs/create", {"experiment_id": "{exp}", "start_time": "123"}),
    ("runs/search", {"experiment_ids": ["{exp}"], "max_results": "5"}),
    ("runs/log-metric", {"run_id": "{run}", "key": "k", "value": "1.5", "timestamp": 1}),
    ("runs/log-metric", {"run_id": "{run}", "key": "k", "value": "NaN", "timestamp": 2}),
    ("runs/log-metric", {"run_id": "{run}", "key": "k", "value": 1, "timestamp": "3"}),
    ("runs/log-metric", {"run_id": "{run}", "key": "k", "value": 1, "timestamp": 4, "step": "2"}),
    ("runs/update", {"run_id": "{run}", "status": 3}),
    ("runs/update", {"run_id": "{run}", "end_time": "5"}),
    ("logged-models/search", {"experiment_ids": ["{exp}"], "max_results": "5"}),
]

# MLflow lets these through with a partly parsed message (the nested value is lost); Ardea
# refuses them, naming the nested field.
ARDEA_ONLY: list[tuple[str, dict[str, Any], str]] = [
    (
        "runs/create",
        {"experiment_id": "{exp}", "tags": [{"key": "a", "value": 5}]},
        "tags[0].value",
    ),
    (
        "runs/log-batch",
        {"run_id": "{run}", "params": [{"key": "q", "value": 5}]},
        "params[0].value",
    ),
    (
        "runs/log-batch",
        {"run_id": "{run}", "metrics": [{"key": "m", "value": "x", "timestamp": 1}]},
        "metrics[0].value",
    ),
    ("runs/log-batch", {"run_id": "{run}", "tags": [5]}, "tags[0]"),
    ("runs/search", {"experiment_ids": [0]}, "experiment_ids[0]"),
    ("runs/log-metric", {"run_id": "{run}", "key": "k", "value": 1, "timestamp": 1.5}, "timestamp"),
    ("runs/log-metric", {"run_id": "{run}", "key": "k", "value": True, "timestamp": 1}, "value"),
    ("experiments/search", {"max_results": 10, "order_by": [5]}, "order_by[0]"),
    (
        "logged-models",
        {"experiment_id": "{exp}", "params": [{"key": "a", "value": 5}]},
        "params[0].value",
    ),
    (
        "logged-models/search",
        {"experiment_ids": ["{exp}"], "order_by": [{"field_name": "name", "ascending": "true"}]},
        "order_by[0].ascending",
    ),
    (
        "runs/log-inputs",
        {"run_id": "{run}", "datasets": [{"dataset": {"name": 5, "digest": "d"}}]},
        "datasets[0].dataset.name",
    ),
]


@pytest.fixture
def ids(client: Client) -> dict[str, str]:
    exp = create_experiment(client)
    run = create_run(client, exp)["info"]["run_id"]
    assert client.post("/api/2.0/mlflow/registered-models/create", json={"name": "m"}).is_success
    body = {"name": "m", "source": "s3://b/x"}
    assert client.post("/api/2.0/mlflow/model-versions/create", json=body).is_success
    return {"exp": exp, "run": run}


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids) if value.startswith("{") else value
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _snapshot(client: Client, ids: dict[str, str]) -> Any:
    run = client.get("/api/2.0/mlflow/runs/get", params={"run_id": ids["run"]}).json()
    exps = client.post("/api/2.0/mlflow/experiments/search", json={"max_results": 100}).json()
    models = client.get("/api/2.0/mlflow/registered-models/search").json()
    return run, exps, models


@pytest.mark.parametrize(("path", "body", "message"), REFUSED, ids=lambda x: str(x)[:60])
def test_wrongly_typed_values_get_mlflows_400(
    client: Client, ids: dict[str, str], path: str, body: dict[str, Any], message: str
) -> None:
    before = _snapshot(client, ids)
    r = client.post(f"/api/2.0/mlflow/{path}", json=_fill(body, ids))
    assert r.status_code == 400, r.text
    assert r.json() == {"error_code": "INVALID_PARAMETER_VALUE", "message": message}
    assert _snapshot(client, ids) == before


@pytest.mark.parametrize(("path", "body"), ACCEPTED, ids=lambda x: str(x)[:60])
def test_protobuf_json_coercions_are_accepted(
    client: Client, ids: dict[str, str], path: str, body: dict[str, Any]
) -> None:
    r = client.post(f"/api/2.0/mlflow/{path}", json=_fill(body, ids))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(("path", "body", "field"), ARDEA_ONLY, ids=lambda x: str(x)[:60])
def test_wrongly_typed_nested_values_are_400_too(
    client: Client, ids: dict[str, str], path: str, body: dict[str, Any], field: str
) -> None:
    before = _snapshot(client, ids)
    r = client.post(f"/api/2.0/mlflow/{path}", json=_fill(body, ids))
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert f"for parameter '{field}' supplied:  Hint: Value was of type" in r.json()["message"]
    assert _snapshot(client, ids) == before


def test_patch_bodies_are_typed_too(client: Client, ids: dict[str, str]) -> None:
    for path, body in [
        ("registered-models/update", {"name": "m", "description": 5}),
        ("model-versions/update", {"name": "m", "version": "1", "description": 5}),
    ]:
        r = client.patch(f"/api/2.0/mlflow/{path}", json=body)
        assert r.status_code == 400, r.text
        assert r.json()["message"] == _hint("5", "description", "int")


def test_query_strings_still_parse_numbers_and_booleans(
    client: Client, ids: dict[str, str]
) -> None:
    r = client.get(
        "/api/2.0/mlflow/experiments/search", params={"max_results": " 5 ", "view_type": "1"}
    )
    assert r.status_code == 200, r.text
    r = client.get("/api/2.0/mlflow/registered-models/search", params={"max_results": "abc"})
    assert r.status_code == 400
    assert r.json()["message"] == _hint('"abc"', "max_results", "str")
