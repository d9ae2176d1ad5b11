"""A NUL character in a request is a 400 INVALID_PARAMETER_VALUE, never a 500 (issue 11, C1).

The stores refuse NUL on every backend (``tests/contract/test_nul_characters.py``); these
requests pin the wire answer, with the JSON escape ``\\u0000`` a client would send.
"""

from __future__ import annotations

import pytest

from .support import Client, assert_error, create_experiment, create_run

NUL = "a\x00b"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/2.0/mlflow/experiments/create", {"name": NUL}),
        ("/api/2.0/mlflow/runs/search", {"experiment_ids": ["0"], "filter": f"tags.t = '{NUL}'"}),
        ("/api/2.0/mlflow/experiments/search", {"max_results": 5, "filter": f"name = '{NUL}'"}),
        ("/api/2.0/mlflow/registered-models/create", {"name": NUL}),
        ("/api/3.0/mlflow/traces/search", {"experiment_ids": ["0"], "filter": f"tags.k = '{NUL}'"}),
    ],
)
def test_nul_in_a_request_is_a_400(client: Client, path: str, body: dict[str, object]) -> None:
    assert_error(client.post(path, json=body), 400, "INVALID_PARAMETER_VALUE", "NUL")


def test_nul_in_run_writes_and_lookups_is_a_400_and_nothing_changes(client: Client) -> None:
    exp = create_experiment(client)
    run_id = create_run(client, exp, run_name="r")["info"]["run_id"]
    for path, body in [
        ("/api/2.0/mlflow/runs/create", {"experiment_id": exp, "run_name": NUL}),
        ("/api/2.0/mlflow/runs/log-parameter", {"run_id": run_id, "key": "p", "value": NUL}),
        ("/api/2.0/mlflow/runs/set-tag", {"run_id": run_id, "key": "t", "value": NUL}),
        (
            "/api/2.0/mlflow/runs/log-batch",
            {"run_id": run_id, "tags": [{"key": "k", "value": NUL}]},
        ),
        ("/api/2.0/mlflow/runs/update", {"run_id": run_id, "run_name": NUL}),
        ("/api/2.0/mlflow/logged-models", {"experiment_id": exp, "name": NUL}),
    ]:
        assert_error(client.post(path, json=body), 400, "INVALID_PARAMETER_VALUE", "NUL")
    r = client.get("/api/2.0/mlflow/runs/get", params={"run_id": NUL})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "NUL")
    run = client.get("/api/2.0/mlflow/runs/get", params={"run_id": run_id}).json()["run"]
    assert run["info"]["run_name"] == "r"
    assert run["data"]["params"] == []
    assert {t["key"] for t in run["data"]["tags"]} == {"mlflow.runName"}
    runs = client.post("/api/2.0/mlflow/runs/search", json={"experiment_ids": [exp]}).json()
    assert len(runs["runs"]) == 1
