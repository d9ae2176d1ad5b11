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

from .openapi_check import CheckedClient, checked_app, scorers_module_path

V3 = "/api/3.0/mlflow/scorers"


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
    config = {"experiment_id": "0", "name": "polite", "sample_rate": 0.5, "filter_string": "a"}
    put = api.json("PUT", V3 + "/online-config", json=config)["config"]
    assert put["sample_rate"] == 0.5 and put["filter_string"] == "a"
    api.call("PUT", V3 + "/online-config", json={**config, "sample_rate": 2}, status=400)
    configs = api.json("GET", V3 + "/online-configs", params={"scorer_ids": [made["scorer_id"]]})
    assert configs["configs"] == [put]
    api.json("DELETE", V3 + "/delete", json={"experiment_id": "0", "name": "polite", "version": 1})
    api.json("DELETE", V3 + "/delete", json={"experiment_id": "0", "name": "polite"})
    api.call("DELETE", V3 + "/delete", json={"experiment_id": "0", "name": "polite"}, status=404)
    assert api.json("GET", V3 + "/list", params={"experiment_id": "0"}) == {"scorers": []}


def test_every_scorer_operation_was_checked(api: CheckedClient) -> None:
    assert api.unchecked(scorers_module_path) == []
