"""Raw HTTP against a live ``ardea server``: requests the stock mlflow client cannot send.

The defects an outside probe found (issue 11, Part C): NUL characters (a 500 on PostgreSQL),
long AND filters (minutes on PostgreSQL), OTLP times of 2**63 ns or more, keys ending in a
newline, wrongly typed JSON. Each is now a 400 ``INVALID_PARAMETER_VALUE`` in MLflow's JSON
envelope, the server logs no traceback, and nothing is stored. The PostgreSQL server runs in
a schema of its own.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fixtures.otlp_payloads import protobuf_request, span

from .conftest import LiveServer

API = "/api/2.0/mlflow"


def _error(r: httpx.Response, contains: str) -> None:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["error_code"] == "INVALID_PARAMETER_VALUE", body
    assert contains in body["message"], body


def _post(c: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    return c.post(API + path, json=body)


@pytest.fixture
def postgres_server(
    live_server_factory: Callable[..., LiveServer], postgres_uri: str
) -> Iterator[LiveServer]:
    import sqlalchemy as sa

    from ardea.store.sql._db.engine import normalize_uri

    schema = f"input_defects_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_uri else "?"
    uri = f"{postgres_uri}{sep}options=-csearch_path%3D{schema}"
    try:
        yield live_server_factory("--backend-store-uri", uri)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> LiveServer:
    if request.param == "sqlite":
        return request.getfixturevalue("live_server")  # type: ignore[no-any-return]
    return request.getfixturevalue("postgres_server")  # type: ignore[no-any-return]


def test_bad_input_is_a_400_and_stores_nothing(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        exp = _post(c, "/experiments/create", {"name": "probe"}).json()["experiment_id"]
        run = _post(c, "/runs/create", {"experiment_id": exp, "run_name": "r"}).json()["run"]
        run_id = run["info"]["run_id"]

        # NUL characters (PostgreSQL's driver raised DataError: a 500).
        _error(_post(c, "/experiments/create", {"name": "a\x00b"}), "NUL")
        _error(_post(c, "/runs/create", {"experiment_id": exp, "run_name": "a\x00"}), "NUL")
        nul_param = {"run_id": run_id, "key": "p", "value": "v\x00"}
        _error(_post(c, "/runs/log-parameter", nul_param), "NUL")
        nul_filter = {"experiment_ids": [exp], "filter": "params.p = 'a\x00'"}
        _error(_post(c, "/runs/search", nul_filter), "NUL")
        _error(_post(c, "/logged-models", {"experiment_id": exp, "name": "m\x00"}), "NUL")
        _error(c.get(API + "/runs/get", params={"run_id": "x\x00"}), "NUL")

        # A key ending in a newline.
        _error(_post(c, "/runs/set-tag", {"run_id": run_id, "key": "bad key\n", "value": "v"}), "")

        # Wrongly typed JSON.
        _error(
            _post(c, "/runs/create", {"experiment_id": exp, "run_name": 7}),
            "Invalid value 7 for parameter 'run_name' supplied:  Hint: Value was of type 'int'.",
        )

        # More than 100 clauses; 100 clauses answer at once.
        clauses = [f"params.p{i} != 'x{i}'" for i in range(100)]
        search = {"experiment_ids": [exp], "filter": " and ".join(clauses)}
        started = time.monotonic()
        assert _post(c, "/runs/search", search).status_code == 200
        assert time.monotonic() - started < 10
        search["filter"] += " and params.q = 'x'"
        _error(_post(c, "/runs/search", search), "more than 100 clauses")

        # OTLP times of 2**63 ns or more.
        trace_hex = uuid.uuid4().hex
        body = protobuf_request([span(trace_hex, "00f067aa0ba902b7", "s", start_ns=2**63)])
        headers = {"content-type": "application/x-protobuf", "x-mlflow-experiment-id": exp}
        _error(c.post("/v1/traces", content=body, headers=headers), "times must be from 0")

        # Nothing of it was stored.
        got = c.get(API + "/runs/get", params={"run_id": run_id}).json()["run"]
        assert got["info"]["run_name"] == "r"
        assert got["data"].get("params", []) == []
        assert {t["key"] for t in got["data"]["tags"]} == {"mlflow.runName"}
        exps = _post(c, "/experiments/search", {"max_results": 100}).json()["experiments"]
        assert sorted(e["name"] for e in exps) == ["Default", "probe"]
        runs = _post(c, "/runs/search", {"experiment_ids": [exp]}).json()["runs"]
        assert len(runs) == 1
        traces = c.post("/api/3.0/mlflow/traces/search", json={"experiment_ids": [exp]}).json()
        assert traces.get("traces", []) == []
    assert "Traceback" not in server.log_text()
