"""Oversized and slow searches answer a 400 INVALID_PARAMETER_VALUE on the wire (issue 11, C2).

A timeout is a 400, not a 503/504: the caller must narrow the filter, and MLflow clients retry
5xx answers seven times over minutes, running the same heavy search again each time.
"""

from __future__ import annotations

import pytest

from ardea.server.deps import ServerDeps
from ardea.store.sql._db import engine

from .support import Client, assert_error, create_experiment, create_run

SEARCHES = [
    ("POST", "/api/2.0/mlflow/runs/search", {"experiment_ids": ["0"]}),
    ("POST", "/api/2.0/mlflow/experiments/search", {"max_results": 10}),
    ("POST", "/api/2.0/mlflow/logged-models/search", {"experiment_ids": ["0"]}),
    ("POST", "/api/3.0/mlflow/traces/search", {"experiment_ids": ["0"]}),
    ("GET", "/api/2.0/mlflow/registered-models/search", {}),
    ("GET", "/api/2.0/mlflow/model-versions/search", {}),
]


def _send(client: Client, method: str, path: str, body: dict[str, object], flt: str) -> object:
    if method == "GET":
        return client.get(path, params={**body, "filter": flt})
    return client.post(path, json={**body, "filter": flt})


@pytest.mark.parametrize(("method", "path", "body"), SEARCHES)
def test_more_than_100_clauses_is_a_400(
    client: Client, method: str, path: str, body: dict[str, object]
) -> None:
    flt = " and ".join(f"tags.k{i} = 'v'" for i in range(101))
    assert_error(
        _send(client, method, path, body, flt),  # type: ignore[arg-type]
        400,
        "INVALID_PARAMETER_VALUE",
        "more than 100 clauses",
    )


@pytest.mark.parametrize(("method", "path", "body"), SEARCHES)
def test_a_search_past_the_time_limit_is_a_400(
    client: Client,
    deps: ServerDeps,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    body: dict[str, object],
) -> None:
    exp = create_experiment(client)
    create_run(client, exp)
    database = deps.backend.tracking.database  # type: ignore[attr-defined]
    monkeypatch.setattr(database, "search_timeout_s", 1e-9)
    monkeypatch.setattr(engine, "_PROGRESS_EVERY", 1)  # look at the clock at once
    r = _send(client, method, path, body, "tags.k = 'v'")
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "took longer than")  # type: ignore[arg-type]
    assert "narrow the filter" in r.json()["message"]  # type: ignore[attr-defined]
    monkeypatch.setattr(database, "search_timeout_s", 30.0)
    r = _send(client, method, path, body, "tags.k = 'v'")
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
