"""With ``--auth``, every list of gateway endpoints shows only what the caller may see.

The invocation lists (``GET /gateway/v1/models`` through the real ``openai`` SDK,
``/gateway/mlflow/v1/models``, MLflow's deployments ``/api/2.0/endpoints/``) show the
endpoints the caller may USE; the management ``endpoints/list`` those it may READ; an
endpoint it may not read answers 404 on ``/api/2.0/endpoints/<name>``. Admins see all.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from ardea.auth import accounts
from ardea.auth.tokens import issue_token
from ardea.server.deps import ServerSettings
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import GatewayServer

__all__ = ["fake_llm"]

G = "/api/3.0/mlflow/gateway"
ADMIN_PASSWORD = "first admin password"


@pytest.fixture
def backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    monkeypatch.setenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", "1")
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "a")
    )
    yield b
    b.close()


def _basic(username: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


ADMIN = _basic("admin", ADMIN_PASSWORD)


def _ok(base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(base + G + path, json=body, headers=ADMIN)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def _endpoints(base: str, fake: FakeLLMServer, names: list[str]) -> dict[str, str]:
    secret = _ok(
        base,
        "/secrets/create",
        {
            "secret_name": "fake",
            "secret_value": {"api_key": "sk-lists-0123456789"},
            "provider": "openai",
            "auth_config": {"api_base": fake.openai_base_url},
        },
    )["secret"]
    definition = _ok(
        base,
        "/model-definitions/create",
        {
            "name": "m",
            "provider": "openai",
            "model_name": "gpt-4.1-mini",
            "secret_id": secret["secret_id"],
        },
    )["model_definition"]
    ids = {}
    for name in names:
        body = {
            "name": name,
            "model_configs": [{"model_definition_id": definition["model_definition_id"]}],
        }
        ids[name] = _ok(base, "/endpoints/create", body)["endpoint"]["endpoint_id"]
    return ids


def _grant(base: str, endpoint_id: str, permission: str) -> None:
    grant = {
        "username": "bob",
        "resource_type": "gateway_endpoint",
        "resource_id": endpoint_id,
        "permission": permission,
    }
    r = httpx.post(base + "/api/3.0/mlflow/users/permissions/grant", json=grant, headers=ADMIN)
    assert r.status_code == 200, r.text


def test_endpoint_lists_show_only_what_the_caller_may_use_or_read(
    backend: Backend, fake_llm: FakeLLMServer
) -> None:
    with GatewayServer(None, backend, ServerSettings(auth_enabled=True)) as server:
        base = server.base_url
        ids = _endpoints(base, fake_llm, ["usable", "readable", "hidden"])
        store = backend.require_auth()
        bob = accounts.create_user(store, "bob", "a long enough password 1", actor="test")
        token = issue_token(store, bob, "k", None, actor="test").token
        bearer = {"Authorization": f"Bearer {token}"}
        _grant(base, ids["usable"], "USE")
        _grant(base, ids["hidden"], "NO_PERMISSIONS")

        def invocation_lists(headers: dict[str, str], key: str) -> list[list[str]]:
            client = openai.OpenAI(base_url=base + "/gateway/v1", api_key=key, max_retries=0)
            sdk = sorted(m.id for m in client.models.list())
            mlflow = httpx.get(base + "/gateway/mlflow/v1/models", headers=headers).json()
            deployments = httpx.get(base + "/api/2.0/endpoints/", headers=headers).json()
            return [
                sdk,
                sorted(m["id"] for m in mlflow["data"]),
                sorted(e["name"] for e in deployments["endpoints"]),
            ]

        assert invocation_lists(bearer, token) == [["usable"]] * 3
        managed = httpx.get(base + G + "/endpoints/list", headers=bearer).json()["endpoints"]
        assert sorted(e["name"] for e in managed) == ["readable", "usable"]
        one = httpx.get(base + "/api/2.0/endpoints/readable", headers=bearer)
        assert one.status_code == 200 and one.json()["name"] == "readable"
        hidden = httpx.get(base + "/api/2.0/endpoints/hidden", headers=bearer)
        assert hidden.status_code == 404 and hidden.json()["error_code"]

        everything = ["hidden", "readable", "usable"]  # an admin (by password) sees all
        mlflow = httpx.get(base + "/gateway/mlflow/v1/models", headers=ADMIN).json()
        assert sorted(m["id"] for m in mlflow["data"]) == everything
        deployments = httpx.get(base + "/api/2.0/endpoints/", headers=ADMIN).json()
        assert sorted(e["name"] for e in deployments["endpoints"]) == everything
        managed = httpx.get(base + G + "/endpoints/list", headers=ADMIN).json()["endpoints"]
        assert sorted(e["name"] for e in managed) == everything


def test_without_auth_every_endpoint_is_listed(backend: Backend, fake_llm: FakeLLMServer) -> None:
    with GatewayServer(None, backend) as server:
        base = server.base_url
        _endpoints(base, fake_llm, ["a", "b"])
        client = openai.OpenAI(base_url=base + "/gateway/v1", api_key="x", max_retries=0)
        assert sorted(m.id for m in client.models.list()) == ["a", "b"]
        deployments = httpx.get(base + "/api/2.0/endpoints/").json()
        assert sorted(e["name"] for e in deployments["endpoints"]) == ["a", "b"]
