"""Experiment RPCs through the app, on a real SQLite store."""

from __future__ import annotations

import pytest

from .support import PREFIXES, Client, assert_error, create_experiment


@pytest.mark.parametrize("prefix", PREFIXES)
def test_create_get_and_get_by_name(client: Client, prefix: str) -> None:
    r = client.post(
        f"{prefix}/mlflow/experiments/create",
        json={"name": "e1", "tags": [{"key": "team", "value": "a"}]},
    )
    assert r.status_code == 200
    exp_id = r.json()["experiment_id"]
    assert isinstance(exp_id, str) and exp_id != "0"

    got = client.get(f"{prefix}/mlflow/experiments/get", params={"experiment_id": exp_id})
    exp = got.json()["experiment"]
    assert exp["name"] == "e1"
    assert exp["artifact_location"] == f"mlflow-artifacts:/{exp_id}"
    assert exp["lifecycle_stage"] == "active"
    assert {"key": "team", "value": "a"} in exp["tags"]
    assert isinstance(exp["creation_time"], int)

    by_name = client.get(
        f"{prefix}/mlflow/experiments/get-by-name", params={"experiment_name": "e1"}
    )
    assert by_name.json()["experiment"]["experiment_id"] == exp_id


def test_missing_experiment_by_name_is_resource_does_not_exist(client: Client) -> None:
    r = client.get("/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": "no"})
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")


def test_duplicate_name_is_400_resource_already_exists(client: Client) -> None:
    create_experiment(client, "dup")
    r = client.post("/api/2.0/mlflow/experiments/create", json={"name": "dup"})
    assert_error(r, 400, "RESOURCE_ALREADY_EXISTS")


def test_missing_required_name(client: Client) -> None:
    r = client.post("/api/2.0/mlflow/experiments/create", json={})
    assert_error(
        r,
        400,
        "INVALID_PARAMETER_VALUE",
        "Missing value for required parameter 'name'. See the API docs",
    )
    r = client.get("/api/2.0/mlflow/experiments/get")
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'experiment_id'")


def test_wrong_type_is_400_and_unknown_fields_are_ignored(client: Client) -> None:
    r = client.post("/api/2.0/mlflow/experiments/create", json={"name": ["x"]})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'name'")
    r = client.post("/api/2.0/mlflow/experiments/create", json={"name": "ok", "bogus": 1})
    assert r.status_code == 200


def test_search_post_and_get_with_paging(client: Client) -> None:
    for i in range(3):
        create_experiment(client, f"s{i}")
    r = client.post(
        "/api/2.0/mlflow/experiments/search",
        json={"max_results": 2, "filter": "name LIKE 's%'", "order_by": ["name ASC"]},
    )
    body = r.json()
    assert [e["name"] for e in body["experiments"]] == ["s0", "s1"]
    token = body["next_page_token"]
    r = client.get(
        "/ajax-api/2.0/mlflow/experiments/search",
        params=[
            ("max_results", "2"),
            ("filter", "name LIKE 's%'"),
            ("order_by", "name ASC"),
            ("page_token", token),
        ],
    )
    body = r.json()
    assert [e["name"] for e in body["experiments"]] == ["s2"]
    assert "next_page_token" not in body


@pytest.mark.parametrize("max_results", [0, -1, 50001])
def test_search_rejects_bad_max_results(client: Client, max_results: int) -> None:
    r = client.post("/api/2.0/mlflow/experiments/search", json={"max_results": max_results})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "max_results")


def test_search_bad_filter_is_400(client: Client) -> None:
    r = client.post(
        "/api/2.0/mlflow/experiments/search",
        json={"max_results": 10, "filter": "name = 'a' OR name = 'b'"},
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")


def test_search_view_type_as_name_or_number(client: Client) -> None:
    exp_id = create_experiment(client, "gone")
    client.post("/api/2.0/mlflow/experiments/delete", json={"experiment_id": exp_id})
    names = lambda body: {e["name"] for e in body["experiments"]}  # noqa: E731
    deleted = client.post(
        "/api/2.0/mlflow/experiments/search", json={"max_results": 10, "view_type": "DELETED_ONLY"}
    ).json()
    assert names(deleted) == {"gone"}
    everything = client.get(
        "/api/2.0/mlflow/experiments/search", params={"max_results": "10", "view_type": "3"}
    ).json()
    assert {"gone", "Default"} <= names(everything)
    r = client.post(
        "/api/2.0/mlflow/experiments/search", json={"max_results": 10, "view_type": "SOME"}
    )
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "view_type")


def test_update_delete_restore(client: Client) -> None:
    exp_id = create_experiment(client, "old")
    r = client.post(
        "/api/2.0/mlflow/experiments/update", json={"experiment_id": exp_id, "new_name": "new"}
    )
    assert r.status_code == 200 and r.json() == {}
    get = lambda: client.get(  # noqa: E731
        "/api/2.0/mlflow/experiments/get", params={"experiment_id": exp_id}
    ).json()["experiment"]
    assert get()["name"] == "new"
    assert (
        client.post("/api/2.0/mlflow/experiments/delete", json={"experiment_id": exp_id}).json()
        == {}
    )
    assert get()["lifecycle_stage"] == "deleted"
    client.post("/api/2.0/mlflow/experiments/restore", json={"experiment_id": exp_id})
    assert get()["lifecycle_stage"] == "active"
    r = client.post("/api/2.0/mlflow/experiments/update", json={"experiment_id": exp_id})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "'new_name'")


def test_experiment_tags(client: Client) -> None:
    exp_id = create_experiment(client)
    r = client.post(
        "/api/2.0/mlflow/experiments/set-experiment-tag",
        json={"experiment_id": exp_id, "key": "k", "value": "v"},
    )
    assert r.status_code == 200
    tags = client.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": exp_id}).json()[
        "experiment"
    ]["tags"]
    assert {"key": "k", "value": "v"} in tags
    r = client.post(
        "/api/2.0/mlflow/experiments/delete-experiment-tag",
        json={"experiment_id": exp_id, "key": "k"},
    )
    assert r.status_code == 200
    exp = client.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": exp_id}).json()
    assert all(t["key"] != "k" for t in exp["experiment"].get("tags", []))


def test_unknown_experiment_is_404(client: Client) -> None:
    r = client.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": "12345"})
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST")
