"""Issue answers match the response schemas of the OpenAPI document.

An app is driven through every ``/mlflow/issues`` and ``/ardea/issues`` operation (success and
error answers), each answer checked by :class:`CheckedClient` against the app's own document;
the last test asserts that every such operation answered a success.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.otlp_payloads import protobuf_request, span

from .openapi_check import CheckedClient, checked_app, issues_module_path

M = "/api/3.0/mlflow/issues"
A = "/api/3.0/ardea/issues"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    with checked_app(Path(tmp_path_factory.mktemp("openapi-issues"))) as checked:
        yield checked


def _failing_trace(api: CheckedClient, n: int, rationale: str) -> str:
    t = f"{n:032x}"
    attrs = {"mlflow.spanInputs": json.dumps({"q": n}), "mlflow.spanOutputs": json.dumps("a")}
    r = api.client.post(
        "/v1/traces",
        content=protobuf_request([span(t, f"{n:016x}", "root", attributes=attrs)]),
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": "0"},
    )
    assert r.status_code == 200, r.text
    trace = f"tr-{t}"
    verdict = {
        "assessment_name": "correct",
        "source": {"source_type": "LLM_JUDGE", "source_id": "openai:/gpt-4o-mini"},
        "feedback": {"value": False},
        "rationale": rationale,
    }
    path = f"/api/3.0/mlflow/traces/{trace}/assessments"
    assert api.client.post(path, json={"assessment": verdict}).status_code == 200
    return trace


def test_issue_operations(api: CheckedClient) -> None:
    traces = [_failing_trace(api, n, "The answer refused to help.") for n in range(1, 4)]
    body = {"experiment_id": "0", "name": "Refusals", "description": "d", "severity": "low"}
    made = api.json("POST", M, json=body)["issue"]
    one = {"issue_id": made["issue_id"]}
    api.call("POST", M, json={**body, "status": "open"}, status=400)
    api.call("POST", M, json={**body, "experiment_id": "99"}, status=404)
    api.json("GET", M + "/{issue_id}", one)
    api.call("GET", M + "/{issue_id}", {"issue_id": "iss-none"}, status=404)
    patched = api.json("PATCH", M + "/{issue_id}", one, json={"status": "resolved"})["issue"]
    assert patched["status"] == "resolved"
    api.call("PATCH", M + "/{issue_id}", one, json={"severity": "urgent"}, status=400)
    page = api.json("POST", M + "/search", json={"experiment_id": "0", "max_results": 1})
    assert [i["issue_id"] for i in page["issues"]] == [made["issue_id"]]
    api.call("POST", M + "/search", json={"page_token": "bad"}, status=400)
    linked = api.json("POST", A + "/link", json={**one, "trace_ids": traces[:1]})
    assert linked == {"trace_ids": traces[:1], "linked": 1}
    api.call("POST", A + "/link", json={**one, "trace_ids": ["tr-none"]}, status=400)
    assert api.json("GET", A + "/traces", params=one)["trace_ids"] == traces[:1]
    proposed = api.json("POST", A + "/propose", json={"experiment_id": "0"})
    assert proposed["failures"] == 3 and proposed["proposals"][0]["size"] == 3
    api.call("POST", A + "/propose", json={"experiment_id": "0", "threshold": 5}, status=400)
    accept = {"experiment_id": "0", "name": "Refuses", "trace_ids": traces}
    issue = api.json("POST", A + "/accept", json=accept)["issue"]
    assert issue["trace_count"] == 3
    api.call("POST", A + "/accept", json={**accept, "trace_ids": []}, status=400)


def test_every_issue_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(issues_module_path) == []
