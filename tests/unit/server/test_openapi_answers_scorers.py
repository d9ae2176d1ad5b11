"""Scorer registry answers match the response schemas of the OpenAPI document.

An app is driven through every ``/mlflow/scorers`` operation (success and error answers), each
answer checked by :class:`CheckedClient` against the app's own document; the last test asserts
that every such operation answered a success.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.otlp_payloads import protobuf_request, span

from .openapi_check import CheckedClient, checked_app, scorers_module_path

V3 = "/api/3.0/mlflow/scorers"
ONLINE = "/api/3.0/ardea/online-scoring"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    with checked_app(Path(tmp_path_factory.mktemp("openapi-scorers"))) as checked:
        yield checked


def test_scorer_operations(api: CheckedClient) -> None:
    text = json.dumps({"name": "polite", "builtin_scorer_class": "Guidelines"})
    body = {"experiment_id": "0", "name": "polite", "serialized_scorer": text}
    made = api.json("POST", V3 + "/register", json=body)
    assert (made["version"], made["experiment_id"]) == (1, "0")
    assert api.json("POST", V3 + "/register", json=body)["version"] == 2
    api.call("POST", V3 + "/register", json={**body, "serialized_scorer": "{x"}, status=400)
    api.call("POST", V3 + "/register", json={**body, "experiment_id": "999"}, status=404)
    listed = api.json("GET", V3 + "/list", params={"experiment_id": "0"})["scorers"]
    assert [(s["scorer_name"], s["scorer_version"], s["experiment_id"]) for s in listed] == [
        ("polite", 2, 0)
    ]
    api.call("GET", V3 + "/list", status=400)
    versions = api.json("GET", V3 + "/versions", params={"experiment_id": "0", "name": "polite"})
    assert [s["scorer_version"] for s in versions["scorers"]] == [1, 2]
    got = api.json("GET", V3 + "/get", params={"experiment_id": "0", "name": "polite"})
    assert got["scorer"]["scorer_version"] == 2
    api.call("GET", V3 + "/get", params={"experiment_id": "0", "name": "nope"}, status=404)
    config = {"experiment_id": "0", "name": "polite", "sample_rate": 0.5}
    config["filter_string"] = "tags.a = 'b'"
    put = api.json("PUT", V3 + "/online-config", json=config)["config"]
    assert put["sample_rate"] == 0.5 and put["filter_string"] == "tags.a = 'b'"
    api.call("PUT", V3 + "/online-config", json={**config, "sample_rate": 2}, status=400)
    configs = api.json("GET", V3 + "/online-configs", params={"scorer_ids": [made["scorer_id"]]})
    assert configs["configs"] == [put]
    api.json("DELETE", V3 + "/delete", json={"experiment_id": "0", "name": "polite", "version": 1})
    api.json("DELETE", V3 + "/delete", json={"experiment_id": "0", "name": "polite"})
    api.call("DELETE", V3 + "/delete", json={"experiment_id": "0", "name": "polite"}, status=404)
    assert api.json("GET", V3 + "/list", params={"experiment_id": "0"}) == {"scorers": []}


def test_online_scoring_operations(api: CheckedClient) -> None:
    code = json.dumps({"name": "short", "call_source": "return True"})
    body = {"experiment_id": "0", "name": "short", "serialized_scorer": code}
    made = api.json("POST", V3 + "/register", json=body)
    api.json("PUT", V3 + "/online-config", json={**body, "sample_rate": 1.0})
    trace_hex = "ab" * 16
    r = api.client.post(
        "/v1/traces",
        content=protobuf_request([span(trace_hex, "cd" * 8, "root")]),
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": "0"},
    )
    assert r.status_code == 200, r.text
    status = api.json("GET", ONLINE + "/status", params={"experiment_id": "0"})
    assert status["counts"]["pending"] == 1 and status["degrade_factor"] == 1.0
    api.call("GET", ONLINE + "/status", params={"experiment_id": "999"}, status=404)
    claim = {"worker_id": "w1", "experiment_ids": ["0"], "max_items": 5, "lease_seconds": 60}
    api.call("POST", ONLINE + "/claim", json={**claim, "kinds": ["x"]}, status=400)
    api.call("POST", ONLINE + "/claim", json={**claim, "experiment_ids": ["999"]}, status=404)
    [work] = api.json("POST", ONLINE + "/claim", json=claim)["work"]
    assert (work["trace_id"], work["scorer_id"], work["kind"]) == (
        f"tr-{trace_hex}",
        made["scorer_id"],
        "code",
    )
    key = {"worker_id": "w1", "trace_id": work["trace_id"], "scorer_id": made["scorer_id"]}
    key["scorer_version"] = 1
    fail = {**key, "error": "try again", "retry_in_seconds": 0}
    assert api.json("POST", ONLINE + "/fail", json=fail) == {"accepted": True}
    assert api.json("POST", ONLINE + "/fail", json=fail) == {"accepted": False}
    api.json("POST", ONLINE + "/claim", json=claim)
    feedback = {
        "assessment_name": "short",
        "source": {"source_type": "CODE", "source_id": "short"},
        "feedback": {"value": True},
    }
    api.call("POST", ONLINE + "/complete", json={**key, "assessments": []}, status=400)
    done = {**key, "assessments": [feedback]}
    assert api.json("POST", ONLINE + "/complete", json=done) == {"accepted": True}
    assert api.json("POST", ONLINE + "/complete", json=done) == {"accepted": False}
    window = {"experiment_id": "0", "start_time_ms": 0, "end_time_ms": 2**41}
    assert api.json("POST", ONLINE + "/backfill", json=window) == {"traces": 1, "enqueued": 0}
    api.call("POST", ONLINE + "/backfill", json={**window, "end_time_ms": -1}, status=400)


def test_every_scorer_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(scorers_module_path) == []
