"""Alert answers match the response schemas of the OpenAPI document.

An app is driven through every ``/ardea/alerts`` operation (success and error answers), each
answer checked by :class:`CheckedClient` against the app's own document; the last test
asserts that every such operation answered a success.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.otlp_payloads import protobuf_request, span

from .openapi_check import CheckedClient, alerts_module_path, checked_app

A = "/api/3.0/ardea/alerts"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    with checked_app(Path(tmp_path_factory.mktemp("openapi-alerts"))) as checked:
        yield checked


def test_alert_operations(api: CheckedClient) -> None:
    body = {
        "experiment_id": "0",
        "name": "pass",
        "kind": "pass_rate_below",
        "judge": "correct",
        "threshold": 0.8,
        "recovery_threshold": 0.9,
        "window_seconds": 3600,
        "description": "d",
    }
    rule = api.json("POST", A + "/rules/create", json=body)["rule"]
    rid = {"rule_id": rule["rule_id"]}
    api.call("POST", A + "/rules/create", json=body, status=400)
    api.call("POST", A + "/rules/create", json={**body, "experiment_id": "99"}, status=404)
    errors = {**body, "name": "errors", "kind": "error_rate_above", "threshold": 0.1}
    del errors["judge"], errors["recovery_threshold"]
    api.json("POST", A + "/rules/create", json=errors)
    assert len(api.json("GET", A + "/rules/list", params={"experiment_id": "0"})["rules"]) == 2
    api.json("GET", A + "/rules/list")
    api.json("GET", A + "/rules/get", params=rid)
    api.call("GET", A + "/rules/get", params={"rule_id": "nope"}, status=404)
    api.json("POST", A + "/rules/update", json={**rid, "threshold": 0.7})
    api.call("POST", A + "/rules/update", json={**rid, "threshold": 7}, status=400)
    t, now = f"{1:032x}", time.time_ns()
    r = api.client.post(
        "/v1/traces",
        content=protobuf_request(
            [span(t, f"{1:016x}", "root", start_ns=now - 10**9, end_ns=now, status=2)]
        ),
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": "0"},
    )
    assert r.status_code == 200, r.text
    api.app.state.ardea.alerts.evaluate_once()
    events = api.json("GET", A + "/events/list", params={"experiment_id": "0", "max_results": 1})
    assert [e["kind"] for e in events["events"]] == ["FIRED"]
    api.json("GET", A + "/events/list", params=rid)
    api.call("GET", A + "/events/list", status=400)
    api.json("POST", A + "/rules/delete", json=rid)
    api.call("POST", A + "/rules/delete", json=rid, status=404)


def test_every_alert_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(alerts_module_path) == []
