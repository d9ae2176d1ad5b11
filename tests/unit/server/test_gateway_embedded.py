"""The gateway embedded in ``ardea server``: endpoints managed over MLflow's REST, then called.

The app reads its endpoints from the tracking database (``DatabaseGatewaySource``): an
endpoint created through ``/api/3.0/mlflow/gateway/...`` answers on ``/gateway/v1/...`` at
once. With ``--auth``, calling an endpoint needs USE on it: a member's default READ gets a
403 in OpenAI's error shape, an endpoint the caller may not read is unknown (404), and a
grant of USE opens it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from ardea.auth import accounts
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps
from fixtures.auth_app import ADMIN, ADMIN_PASSWORD, PASSWORD, basic
from fixtures.fake_llm_server import FakeLLMServer, fake_llm

from .support import Client

__all__ = ["fake_llm"]

G = "/api/3.0/mlflow/gateway"
CHAT = "/gateway/v1/chat/completions"


def _make_endpoint(client: Client, fake: FakeLLMServer, headers: dict[str, str]) -> str:
    def ok(path: str, body: dict[str, object]) -> dict[str, object]:
        r = client.post(G + path, json=body, headers=headers)
        assert r.status_code == 200, r.text
        answer: dict[str, object] = r.json()
        return answer

    secret = ok(
        "/secrets/create",
        {
            "secret_name": "fake",
            "secret_value": {"api_key": "sk-embedded-0123456789"},
            "provider": "openai",
            "auth_config": {"api_base": fake.openai_base_url},
        },
    )["secret"]
    assert isinstance(secret, dict)
    definition = ok(
        "/model-definitions/create",
        {
            "name": "m",
            "provider": "openai",
            "model_name": "gpt-4.1-mini",
            "secret_id": secret["secret_id"],
        },
    )["model_definition"]
    assert isinstance(definition, dict)
    endpoint = ok(
        "/endpoints/create",
        {
            "name": "chat",
            "model_configs": [{"model_definition_id": definition["model_definition_id"]}],
            "usage_tracking": False,
        },
    )["endpoint"]
    assert isinstance(endpoint, dict)
    return str(endpoint["endpoint_id"])


def _ask(client: Client, headers: dict[str, str] | None = None) -> tuple[int, dict[str, object]]:
    body = {"model": "chat", "messages": [{"role": "user", "content": "hello"}]}
    r = client.post(CHAT, json=body, headers=headers or {})
    return r.status_code, r.json()


@pytest.fixture
def private_upstreams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", "1")


def test_an_endpoint_made_over_rest_answers_at_once(
    deps: ServerDeps, fake_llm: FakeLLMServer, private_upstreams: None
) -> None:
    fake_llm.reset()
    client = Client(create_app(deps))
    try:
        status, answer = _ask(client)
        assert status == 404 and answer["error"]["code"] == "model_not_found"  # type: ignore[index]
        _make_endpoint(client, fake_llm, {})
        status, answer = _ask(client)
        assert status == 200, answer
        assert answer["choices"][0]["message"]["content"] == "echo: hello"  # type: ignore[index]
        sent = fake_llm.requests_to("/chat/completions")[-1]
        assert sent.headers["authorization"] == "Bearer sk-embedded-0123456789"
        assert sent.body["model"] == "gpt-4.1-mini"
    finally:
        client.close()


def test_calling_an_endpoint_needs_use_on_it(
    deps: ServerDeps,
    fake_llm: FakeLLMServer,
    private_upstreams: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_llm.reset()
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    settings = replace(deps.settings, auth_enabled=True)
    client = Client(create_app(replace(deps, settings=settings)))
    try:
        store = deps.backend.require_auth()
        accounts.create_user(store, "bob", PASSWORD, actor="test")
        endpoint_id = _make_endpoint(client, fake_llm, ADMIN)
        assert _ask(client)[0] == 401
        status, answer = _ask(client, basic("bob"))  # a member's default: READ
        assert status == 403, answer
        assert "USE on gateway endpoint 'chat'" in answer["error"]["message"]  # type: ignore[index]
        grant = {
            "username": "bob",
            "resource_type": "gateway_endpoint",
            "resource_id": endpoint_id,
            "permission": "NO_PERMISSIONS",
        }
        r = client.post("/api/3.0/mlflow/users/permissions/grant", json=grant, headers=ADMIN)
        assert r.status_code == 200, r.text
        status, answer = _ask(client, basic("bob"))
        assert status == 404 and answer["error"]["code"] == "model_not_found"  # type: ignore[index]
        r = client.post(
            "/api/3.0/mlflow/users/permissions/grant",
            json={**grant, "permission": "USE"},
            headers=ADMIN,
        )
        assert r.status_code == 200, r.text
        status, answer = _ask(client, basic("bob"))
        assert status == 200, answer
        assert _ask(client, ADMIN)[0] == 200
    finally:
        client.close()
