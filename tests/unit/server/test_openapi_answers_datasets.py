"""Evaluation dataset answers match the response schemas of the OpenAPI document.

An app is driven through every ``/mlflow/datasets`` and ``/ardea/datasets`` operation
(success and error answers), each answer checked by :class:`CheckedClient` against the app's
own document; the last test asserts that every such operation answered a success.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from .openapi_check import CheckedClient, checked_app, datasets_module_path

V3 = "/api/3.0/mlflow/datasets"
ONE = V3 + "/{dataset_id}"
ARDEA = "/api/3.0/ardea/datasets/{dataset_id}"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    with checked_app(Path(tmp_path_factory.mktemp("openapi-ds"))) as checked:
        yield checked


def test_dataset_operations(api: CheckedClient) -> None:
    tags = json.dumps({"mlflow.user": "ann", "t": "1"})
    body = {"name": "qa", "experiment_ids": ["0"], "tags": tags}
    made = api.json("POST", V3 + "/create", json=body)["dataset"]
    one = {"dataset_id": made["dataset_id"]}
    api.call("POST", V3 + "/create", json={"name": "qa", "experiment_ids": ["999"]}, status=404)
    api.call("POST", V3 + "/create", json={"experiment_ids": []}, status=400)
    records = [
        {"inputs": {"q": 1}, "expectations": {"a": 1}, "outputs": "x"},
        {"inputs": {"q": 2}, "source": {"source_type": "TRACE", "source_data": {"trace_id": "t"}}},
    ]
    done = api.json("POST", ONE + "/records", one, json={"records": json.dumps(records)})
    assert (done["inserted_count"], done["version"]) == (2, 2)
    api.call("POST", ONE + "/records", one, json={"records": '{"inputs": {}}'}, status=400)
    api.call("POST", ONE + "/records", {"dataset_id": "d-none"}, json={"records": "[]"}, status=404)
    got = api.json("GET", ONE + "/records", one, params={"max_results": 1})
    assert len(json.loads(got["records"])) == 1 and got["next_page_token"]
    api.json("GET", ONE, one)
    api.call("GET", ONE, {"dataset_id": "d-none"}, status=404)
    api.json("POST", V3 + "/search", json={"filter_string": "name = 'qa'"})
    api.json("GET", V3 + "/search", params={"max_results": 5})
    api.call("POST", V3 + "/search", json={"filter_string": "bogus = 1"}, status=400)
    api.json("PATCH", ONE + "/tags", one, json={"tags": json.dumps({"u": "2"})})
    api.call("PATCH", ONE + "/tags", one, json={"tags": "[1]"}, status=400)
    api.json("DELETE", ONE + "/tags/{key}", {**one, "key": "t"})
    assert api.json("GET", ONE + "/experiment-ids", one) == {"experiment_ids": ["0"]}
    api.json("POST", ONE + "/remove-experiments", one, json={"experiment_ids": ["0"]})
    api.json("POST", ONE + "/add-experiments", one, json={"experiment_ids": ["0"]})
    versions = api.json("GET", ARDEA + "/versions", one)["versions"]
    assert [v["version"] for v in versions] == [4, 3, 2, 1]
    api.json("GET", ARDEA + "/versions/{version}/records", {**one, "version": "2"})
    api.call("GET", ARDEA + "/versions/{version}/records", {**one, "version": "9"}, status=404)
    diff = api.json("GET", ARDEA + "/diff", one, params={"from_version": 1, "to_version": 4})
    assert len(diff["added"]) == 2
    api.call("GET", ARDEA + "/diff", one, params={"from_version": 0, "to_version": 4}, status=400)
    first = json.loads(api.json("GET", ONE + "/records", one)["records"])[0]
    ids = {"dataset_record_ids": [first["dataset_record_id"]]}
    assert api.json("DELETE", ONE + "/records", one, json=ids) == {"deleted_count": 1}
    api.json("DELETE", ONE, one)
    api.call("DELETE", ONE, one, status=404)


def test_every_dataset_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(datasets_module_path) == []
