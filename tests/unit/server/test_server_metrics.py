"""``GET /metrics``: the server's Prometheus metrics, on SQLite and PostgreSQL, with auth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from ardea.auth import accounts
from ardea.auth.tokens import issue_token
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.store.backend import Backend
from ardea.store.sql._db.engine import normalize_uri
from ardea.store.sql.backend import open_sql_backend
from fixtures.otlp_payloads import protobuf_request, span

from .support import Client, create_experiment, create_run

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
_PG_SCHEMA = "ardea_ops_metrics"


def samples(text: str) -> Samples:
    """Every sample of an exposition, by name and labels; fails on a duplicate family."""
    found: Samples = {}
    names: list[str] = []
    for family in text_string_to_metric_families(text):
        names.append(family.name)
        for s in family.samples:
            found[(s.name, frozenset(s.labels.items()))] = s.value
    assert len(names) == len(set(names)), "a metric family is exposed twice"
    return found


def value(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


def test_requests_are_counted_by_route_template_and_status_class(client: Client) -> None:
    experiment_id = create_experiment(client)
    run = create_run(client, experiment_id)
    run_id = run["info"]["run_id"]
    metrics = [{"key": "loss", "value": i, "timestamp": 1, "step": i} for i in range(3)]
    r = client.post("/api/2.0/mlflow/runs/log-batch", json={"run_id": run_id, "metrics": metrics})
    assert r.status_code == 200, r.text
    missing = "tr-" + "ab" * 16
    assert client.get(f"/api/3.0/mlflow/traces/{missing}").status_code == 404
    assert client.get("/api/2.0/mlflow/no-such-rpc").status_code == 404
    assert client.post("/api/2.0/mlflow/experiments/create", json={}).status_code == 400

    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    found = samples(text)
    create = {"route": "/api/2.0/mlflow/experiments/create", "method": "POST"}
    assert value(found, "ardea_http_requests_total", **create, status="2xx") == 1
    assert value(found, "ardea_http_requests_total", **create, status="4xx") == 1
    hist = "ardea_http_request_duration_seconds"
    assert value(found, f"{hist}_count", **create, status="2xx") == 1
    assert value(found, f"{hist}_bucket", **create, status="2xx", le="+Inf") == 1
    assert value(found, f"{hist}_bucket", **create, status="2xx", le="60.0") == 1
    # The template, never the id; an unknown RPC under /api counts as {unknown}.
    assert missing not in text and "no-such-rpc" not in text
    traces = {"route": "/api/3.0/mlflow/traces/{trace_id}", "method": "GET", "status": "4xx"}
    assert value(found, "ardea_http_requests_total", **traces) == 1
    unknown = {"route": "{unknown}", "method": "GET", "status": "4xx"}
    assert value(found, "ardea_http_requests_total", **unknown) == 1
    assert value(found, "ardea_ingested_total", kind="metrics") == 3
    # This scrape is in flight while it is rendered.
    assert value(found, "ardea_http_requests_in_flight") == 1
    # SQLite: the writer's queue and both pools; the process collectors.
    assert value(found, "ardea_db_write_queue_depth") == 0
    assert value(found, "ardea_db_pool_size", pool="read") == 8
    assert value(found, "ardea_db_pool_size", pool="write") == 1
    assert value(found, "ardea_db_pool_checked_out", pool="read") == 0
    assert value(found, "ardea_dropped_spans_total", source="gateway") == 0
    assert value(found, "process_cpu_seconds_total") is not None
    assert value(found, "python_info", **_python_info(found)) == 1
    # The gateway is on by default: its families share the page.
    assert "# TYPE ardea_gateway_requests_total counter" in text
    again = samples(client.get("/metrics").text)
    assert value(again, "ardea_http_requests_total", route="/metrics", method="GET", status="2xx")


def _python_info(found: Samples) -> dict[str, str]:
    labels = next(dict(k[1]) for k in found if k[0] == "python_info")
    return labels


def test_otlp_spans_and_traces_are_counted(client: Client) -> None:
    experiment_id = create_experiment(client)
    body = protobuf_request(
        [
            span("11" * 16, "22" * 8, "root"),
            span("11" * 16, "33" * 8, "child", parent_hex="22" * 8),
            span("44" * 16, "55" * 8, "other"),
        ]
    )
    headers = {"content-type": "application/x-protobuf", "x-mlflow-experiment-id": experiment_id}
    assert client.post("/v1/traces", content=body, headers=headers).status_code == 200
    refused = client.post("/v1/traces", content=b"not otlp", headers=headers)
    assert refused.status_code == 400
    found = samples(client.get("/metrics").text)
    assert value(found, "ardea_ingested_total", kind="spans") == 3
    assert value(found, "ardea_ingested_total", kind="traces") == 2
    otlp = {"route": "/v1/traces", "method": "POST"}
    assert value(found, "ardea_http_requests_total", **otlp, status="2xx") == 1
    assert value(found, "ardea_http_requests_total", **otlp, status="4xx") == 1


def test_without_the_gateway_metrics_are_still_served(deps: ServerDeps) -> None:
    off = ServerDeps(deps.backend, ServerSettings(gateway_enabled=False))
    client = Client(create_app(off))
    try:
        text = client.get("/metrics").text
        assert "ardea_gateway" not in text
        assert "ardea_http_requests_in_flight" in text
        assert "/metrics" in create_app(off).openapi()["paths"]
    finally:
        client.close()


ADMIN_PASSWORD = "first admin password"


def _auth_client(backend: Backend) -> Client:
    return Client(create_app(ServerDeps(backend, ServerSettings(auth_enabled=True))))


def test_with_auth_only_an_admin_reads_metrics(
    deps: ServerDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    client = _auth_client(deps.backend)
    try:
        assert client.get("/metrics").status_code == 401
        store = deps.backend.require_auth()
        ada = accounts.create_user(store, "ada", "ada's password 12", actor="test")
        member = issue_token(store, ada, "scraper", timedelta(days=1)).token
        denied = client.get("/metrics", headers={"Authorization": f"Bearer {member}"})
        assert denied.status_code == 403
        assert denied.json()["error_code"] == "PERMISSION_DENIED"
        admin = next(u for u in store.list_users() if u.is_admin)
        token = issue_token(store, admin, "prometheus", timedelta(days=1)).token
        ok = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and "ardea_http_requests_total" in ok.text
        # The refusals were counted too, under the route they asked for.
        found = samples(ok.text)
        refused = {"route": "/metrics", "method": "GET", "status": "4xx"}
        assert value(found, "ardea_http_requests_total", **refused) == 2
        assert token not in ok.text and member not in ok.text
    finally:
        client.close()


def test_metrics_public_opens_metrics_and_nothing_else(
    deps: ServerDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("ARDEA_METRICS_PUBLIC", "1")
    client = _auth_client(deps.backend)
    try:
        assert client.get("/metrics").status_code == 200
        assert client.get("/api/2.0/mlflow/experiments/search").status_code == 401
    finally:
        client.close()


@pytest.fixture
def pg_backend(postgres_uri: str, tmp_path: Path) -> Iterator[Backend]:
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {_PG_SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {_PG_SCHEMA}"))
    sep = "&" if "?" in postgres_uri else "?"
    backend = open_sql_backend(
        f"{postgres_uri}{sep}options=-csearch_path%3D{_PG_SCHEMA}",
        artifacts_destination=str(tmp_path / "artifacts"),
    )
    yield backend
    backend.close()
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {_PG_SCHEMA} CASCADE"))
    engine.dispose()


def test_postgresql_pool_gauges(pg_backend: Backend) -> None:
    client = Client(create_app(ServerDeps(pg_backend, ServerSettings())))
    try:
        create_experiment(client)
        db = pg_backend.tracking.database  # type: ignore[attr-defined]
        held = db.write_engine.connect()  # one connection checked out while scraped
        try:
            found = samples(client.get("/metrics").text)
        finally:
            held.close()
        assert value(found, "ardea_db_pool_size", pool="shared") == 8
        assert value(found, "ardea_db_pool_checked_out", pool="shared") == 1
        assert value(found, "ardea_db_pool_overflow", pool="shared") is not None
        assert value(found, "ardea_db_write_queue_depth") == 0
        assert value(found, "ardea_db_pool_size", pool="read") is None
    finally:
        client.close()
