"""``GET /api/3.0/ardea/gateway/usage``: the rollup the gateway writes with its traces.

An endpoint made over MLflow's management REST, with usage tracking, is called through
``/gateway/v1/chat/completions`` (whole and streamed); its answers carry ``X-Ardea-Trace-Id``
naming the trace recorded, and the usage read sums the calls by endpoint, key, user and
model, in the request's workspace only. Bad parameters are 400s in MLflow's error shape.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm

from .support import Client

__all__ = ["fake_llm"]

G = "/api/3.0/mlflow/gateway"
USAGE = "/api/3.0/ardea/gateway/usage"
CHAT = "/gateway/v1/chat/completions"
A: dict[str, str] = {}  # the default workspace
B = {"X-MLFLOW-WORKSPACE": "team-b"}


@pytest.fixture
def client(
    tmp_path: Path, fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Client]:
    monkeypatch.setenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", "1")
    fake_llm.reset()
    backend = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}",
        artifacts_destination=str(tmp_path / "artifacts"),
        lazy_artifacts=False,
    )
    deps = ServerDeps(backend, ServerSettings())
    c = Client(create_app(replace(deps, settings=replace(deps.settings, enable_workspaces=True))))
    for name in ("team-a", "team-b"):
        assert c.post("/api/3.0/mlflow/workspaces", json={"name": name}).status_code == 201
    yield c
    c.close()
    backend.close()


def _ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def _endpoint(c: Client, fake: FakeLLMServer, headers: dict[str, str]) -> None:
    secret = _ok(
        c.post(
            G + "/secrets/create",
            json={
                "secret_name": "fake",
                "secret_value": {"api_key": "sk-usage-0123456789"},
                "provider": "openai",
                "auth_config": {"api_base": fake.openai_base_url},
            },
            headers=headers,
        )
    )["secret"]
    definition = _ok(
        c.post(
            G + "/model-definitions/create",
            json={
                "name": "m",
                "provider": "openai",
                "model_name": "gpt-4.1-mini",
                "secret_id": secret["secret_id"],
            },
            headers=headers,
        )
    )["model_definition"]
    _ok(
        c.post(
            G + "/endpoints/create",
            json={
                "name": "chat",
                "model_configs": [{"model_definition_id": definition["model_definition_id"]}],
                "usage_tracking": True,
            },
            headers=headers,
        )
    )


def _usage(c: Client, headers: dict[str, str], want: int, **params: Any) -> Any:
    """The usage answer once ``want`` requests are in it (the rollup is written off the path)."""
    deadline = time.monotonic() + 30
    while True:
        got = _ok(c.get(USAGE, params=params, headers=headers))
        if got["totals"]["requests"] >= want or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def test_calls_are_summed_by_endpoint_model_and_workspace(
    client: Client, fake_llm: FakeLLMServer
) -> None:
    _endpoint(client, fake_llm, A)
    body = {"model": "chat", "messages": [{"role": "user", "content": "hello"}]}
    whole = client.post(CHAT, json=body, headers=A)
    assert whole.status_code == 200, whole.text
    trace_id = whole.headers["x-ardea-trace-id"]
    assert trace_id.startswith("tr-")
    streamed = client.post(CHAT, json={**body, "stream": True}, headers=A)
    assert streamed.status_code == 200 and "x-ardea-trace-id" in streamed.headers
    assert streamed.headers["x-ardea-trace-id"] != trace_id

    now = int(time.time() * 1000)
    got = _usage(client, A, 2, start=now - 3_600_000, end=now + 60_000, bucket="minute")
    assert got["group_by"] == "endpoint" and got["bucket_ms"] == 60_000
    assert [g["group"] for g in got["groups"]] == ["chat"]
    totals = got["totals"]
    assert totals["requests"] == 2 and totals["errors"] == 0
    assert totals["input_tokens"] > 0 and totals["output_tokens"] > 0
    assert totals["cost_usd"] > 0 and totals["unpriced"] == 0
    assert totals["latency_ms_avg"] is not None
    points = got["groups"][0]["points"]
    assert sum(p["requests"] for p in points) == 2
    assert all(now - 3_600_000 - 60_000 <= p["start_ms"] <= now + 60_000 for p in points)

    by_model = _ok(client.get(USAGE, params={"group_by": "model"}, headers=A))
    assert [g["group"] for g in by_model["groups"]] == ["openai/gpt-4.1-mini"]
    by_key = _ok(client.get(USAGE, params={"group_by": "key", "bucket": "day"}, headers=A))
    assert [g["group"] for g in by_key["groups"]] == [""]  # no API key without --auth
    one = _ok(client.get(USAGE, params={"endpoint": "nope"}, headers=A))
    assert one["groups"] == [] and one["totals"]["requests"] == 0
    assert one["totals"]["latency_ms_avg"] is None

    other = _ok(client.get(USAGE, headers=B))  # another workspace sees none of it
    assert other["groups"] == [] and other["totals"]["requests"] == 0

    deadline = time.monotonic() + 30  # the trace is written off the path too
    info = f"/api/2.0/mlflow/traces/{trace_id}/info"
    while (r := client.get(info, headers=A)).status_code != 200:
        assert r.status_code == 404 and time.monotonic() < deadline, r.text
        time.sleep(0.05)
    assert trace_id in r.text


def test_an_endpoint_in_another_workspace_gets_its_traces(
    client: Client, fake_llm: FakeLLMServer
) -> None:
    """The request trace goes to the endpoint's experiment in the endpoint's own workspace."""
    _endpoint(client, fake_llm, B)
    body = {"model": "chat", "messages": [{"role": "user", "content": "from b"}]}
    r = client.post(CHAT, json=body, headers=B)
    assert r.status_code == 200, r.text
    trace_id = r.headers["x-ardea-trace-id"]
    deadline = time.monotonic() + 30
    info = f"/api/2.0/mlflow/traces/{trace_id}/info"
    while (got := client.get(info, headers=B)).status_code != 200:
        assert got.status_code == 404 and time.monotonic() < deadline, got.text
        time.sleep(0.05)
    assert client.get(info, headers=A).status_code == 404  # not in the default workspace
    assert _usage(client, B, 1)["totals"]["requests"] == 1


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"group_by": "colour"}, "group_by must be one of"),
        ({"bucket": "week"}, "bucket must be one of"),
        ({"start": 10, "end": 5}, "must be before end"),
        ({"start": -1}, ">= 0"),
        ({"start": 0, "end": 86_400_000 * 2, "bucket": "minute"}, "at most 1500"),
        ({"start": "soon"}, "start"),
    ],
)
def test_bad_parameters_are_400s(client: Client, params: dict[str, Any], match: str) -> None:
    r = client.get(USAGE, params=params, headers=A)
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert match in r.json()["message"]


def test_with_auth_only_readable_endpoints_count(
    tmp_path: Path, fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    from ardea.auth import accounts

    def basic(user: str, password: str) -> dict[str, str]:
        return {
            "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        }

    monkeypatch.setenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", "1")
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", "first admin password")
    fake_llm.reset()
    backend = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}",
        artifacts_destination=str(tmp_path / "artifacts"),
        lazy_artifacts=False,
    )
    c = Client(create_app(ServerDeps(backend, ServerSettings(auth_enabled=True))))
    try:
        admin = basic("admin", "first admin password")
        accounts.create_user(backend.require_auth(), "bob", "a long enough password 1", actor="t")
        bob = basic("bob", "a long enough password 1")
        _endpoint(c, fake_llm, admin)
        body = {"model": "chat", "messages": [{"role": "user", "content": "hello"}]}
        assert c.post(CHAT, json=body, headers=admin).status_code == 200
        assert _usage(c, admin, 1)["totals"]["requests"] == 1
        assert c.get(USAGE).status_code == 401
        assert _ok(c.get(USAGE, headers=bob))["totals"]["requests"] == 1  # default READ
        endpoint_id = _ok(c.get(G + "/endpoints/get", params={"name": "chat"}, headers=admin))[
            "endpoint"
        ]["endpoint_id"]
        grant = {
            "username": "bob",
            "resource_type": "gateway_endpoint",
            "resource_id": endpoint_id,
            "permission": "NO_PERMISSIONS",
        }
        _ok(c.post("/api/3.0/mlflow/users/permissions/grant", json=grant, headers=admin))
        hidden = _ok(c.get(USAGE, headers=bob))
        assert hidden["groups"] == [] and hidden["totals"]["requests"] == 0
    finally:
        c.close()
        backend.close()
