"""Review queue answers match the response schemas of the OpenAPI document.

An app is driven through every ``/ardea/review`` operation (success and error answers), each
answer checked by :class:`CheckedClient` against the app's own document; the last test
asserts that every such operation answered a success.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.otlp_payloads import protobuf_request, span

from .openapi_check import CheckedClient, checked_app, review_module_path

R = "/api/3.0/ardea/review"
SCHEMAS = [
    {"name": "correct", "type": "pass_fail", "instruction": "Is it right?"},
    {"name": "tone", "type": "categorical", "options": ["polite", "rude"], "required": False},
    {"name": "score", "type": "numeric", "min": 1, "max": 5, "required": False},
    {"name": "expected_response", "type": "expected_answer", "required": False},
]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    with checked_app(Path(tmp_path_factory.mktemp("openapi-review"))) as checked:
        yield checked


def _trace(api: CheckedClient, n: int) -> str:
    t = f"{n:032x}"
    attrs = {"mlflow.spanInputs": json.dumps({"q": n}), "mlflow.spanOutputs": json.dumps("a")}
    r = api.client.post(
        "/v1/traces",
        content=protobuf_request([span(t, f"{n:016x}", "root", attributes=attrs)]),
        headers={"content-type": "application/x-protobuf", "x-mlflow-experiment-id": "0"},
    )
    assert r.status_code == 200, r.text
    return f"tr-{t}"


def test_review_operations(api: CheckedClient) -> None:
    traces = [_trace(api, n) for n in range(1, 4)]
    body = {"experiment_id": "0", "name": "q", "description": "d", "label_schemas": SCHEMAS}
    queue = api.json("POST", R + "/queues/create", json=body)["queue"]
    qid = {"queue_id": queue["queue_id"]}
    api.call("POST", R + "/queues/create", json=body, status=400)
    api.call("POST", R + "/queues/create", json={**body, "experiment_id": "99"}, status=404)
    listed = api.json("GET", R + "/queues/list", params={"experiment_id": "0"})
    assert [q["name"] for q in listed["queues"]] == ["q"]
    api.json("GET", R + "/queues/list")
    api.json("GET", R + "/queues/get", params=qid)
    api.call("GET", R + "/queues/get", params={"queue_id": "nope"}, status=404)
    added = api.json("POST", R + "/items/add", json={**qid, "trace_ids": traces[:1]})["items"]
    api.call("POST", R + "/items/add", json={**qid, "trace_ids": ["tr-x"]}, status=400)
    api.json("POST", R + "/items/add-by-filter", json={**qid, "filter_string": "", "max_items": 3})
    api.json("POST", R + "/items/add-by-judge", json={**qid, "judge_name": "safety"})
    page = api.json("GET", R + "/items/list", params={**qid, "max_results": 1})
    assert page["next_page_token"]
    items = api.json("GET", R + "/items/list", params=qid)["items"]
    assert len(items) == 3 and items[0]["item_id"] == added[0]["item_id"]
    api.json("GET", R + "/items/get", params={"item_id": items[0]["item_id"]})
    api.call("GET", R + "/items/get", params={"item_id": "nope"}, status=404)
    assign = {**qid, "reviewers": ["ann"], "item_ids": [items[0]["item_id"]]}
    api.json("POST", R + "/items/assign", json=assign)
    nxt = api.json("GET", R + "/items/next", params={**qid, "reviewer": "ann"})["item"]
    assert nxt["item_id"] == items[0]["item_id"]
    labels = {"correct": True, "tone": "polite", "score": 4, "expected_response": "yes"}
    submit = {"item_id": nxt["item_id"], "reviewer": "ann", "labels": labels, "comment": "ok"}
    done = api.json("POST", R + "/items/submit", json=submit)["item"]
    assert done["state"] == "done" and len(done["assessment_ids"]) == 4
    api.call("POST", R + "/items/submit", json={**submit, "labels": {"score": 9}}, status=400)
    api.json("POST", R + "/items/skip", json={"item_id": items[1]["item_id"], "reviewer": "bo"})
    progress = api.json("GET", R + "/queues/progress", params=qid)
    assert (progress["done"], progress["skipped"], progress["pending"]) == (1, 1, 1)
    made = api.json(
        "POST",
        "/api/3.0/mlflow/datasets/create",
        json={"name": "reviewed", "experiment_ids": ["0"]},
    )["dataset"]
    to = {**qid, "dataset_id": made["dataset_id"]}
    assert api.json("POST", R + "/queues/to-dataset", json=to) == {"records": 1}
    api.call("POST", R + "/queues/to-dataset", json={**qid, "dataset_id": "d-0"}, status=404)
    assert api.json("GET", R + "/items/next", params={**qid, "reviewer": "zed"})["item"]
    api.json("POST", R + "/queues/delete", json=qid)
    api.call("POST", R + "/queues/delete", json=qid, status=404)


def test_every_review_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(review_module_path) == []
