"""With ``--auth``, the door's 401 on a gateway path is in the error shape of the API the
caller speaks: the real ``openai`` and ``anthropic`` SDKs raise their ``AuthenticationError``
with the door's message; Gemini's passthrough answers Google's shape, MLflow's paths MLflow's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anthropic
import httpx
import openai
import pytest

from ardea.server.deps import ServerSettings
from ardea.server.door import NOT_AUTHENTICATED
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import GatewayServer, endpoint, source, target

__all__ = ["fake_llm"]

USER = [{"role": "user", "content": "hello"}]


@pytest.fixture
def server(
    fake_llm: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GatewayServer]:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", "first admin password")
    backend: Backend = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "a")
    )
    src = source(endpoint("chat", (target(fake_llm, "gpt"),)))
    try:
        with GatewayServer(src, backend, ServerSettings(auth_enabled=True)) as s:
            yield s
    finally:
        backend.close()


def test_openai_sdk_raises_its_authentication_error(server: GatewayServer) -> None:
    client = openai.OpenAI(
        base_url=server.base_url + "/gateway/v1", api_key="not-a-token", max_retries=0
    )
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="chat", messages=USER)  # type: ignore[arg-type]
    assert caught.value.status_code == 401
    assert caught.value.body["message"]  # type: ignore[index]
    assert caught.value.body["type"] == "invalid_request_error"  # type: ignore[index]
    assert caught.value.code == "invalid_api_key"
    with pytest.raises(openai.AuthenticationError):
        client.models.list()


def test_anthropic_sdk_raises_its_authentication_error(server: GatewayServer) -> None:
    client = anthropic.Anthropic(
        base_url=server.base_url + "/gateway/anthropic", api_key="not-a-token", max_retries=0
    )
    with pytest.raises(anthropic.AuthenticationError) as caught:
        client.messages.create(model="chat", max_tokens=5, messages=USER)  # type: ignore[arg-type]
    body = caught.value.body
    assert body["type"] == "error"  # type: ignore[index]
    assert body["error"]["type"] == "authentication_error"  # type: ignore[index]
    assert body["error"]["message"]  # type: ignore[index]


def test_gemini_and_mlflow_paths_answer_their_own_shapes(server: GatewayServer) -> None:
    base = server.base_url
    gemini = httpx.post(
        f"{base}/gateway/gemini/v1beta/models/chat:generateContent", json={"contents": []}
    )
    assert gemini.status_code == 401
    assert gemini.json() == {
        "error": {"code": 401, "message": NOT_AUTHENTICATED, "status": "UNAUTHENTICATED"}
    }
    unified = httpx.post(f"{base}/gateway/chat/mlflow/invocations", json={"messages": USER})
    assert unified.status_code == 401
    assert unified.json() == {"error_code": "UNAUTHENTICATED", "message": NOT_AUTHENTICATED}
    for deployments in ("/endpoints/chat/invocations", "/api/2.0/endpoints/"):
        r = httpx.request("POST" if "invocations" in deployments else "GET", base + deployments)
        assert r.status_code == 401 and r.json()["error_code"] == "UNAUTHENTICATED"
    tracking = httpx.get(f"{base}/api/2.0/mlflow/experiments/search")
    assert tracking.status_code == 401 and tracking.json()["error_code"] == "UNAUTHENTICATED"
    raw = httpx.post(f"{base}/gateway/v1/chat/completions", json={"model": "chat"})
    assert raw.json()["error"]["message"] == NOT_AUTHENTICATED
    assert raw.json()["error"]["code"] == "invalid_api_key"
    for path in ("/gateway/openai/v1/embeddings", "/gateway/mlflow/v1/chat/completions"):
        error = httpx.post(base + path, json={"model": "chat"}).json()["error"]
        assert (error["type"], error["code"]) == ("invalid_request_error", "invalid_api_key")
