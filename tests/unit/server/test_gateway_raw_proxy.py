"""MLflow's raw proxy, ``POST /gateway/proxy/<endpoint>/<path>``: the real ``openai`` and
``anthropic`` SDKs pointed at it reach ``<target base URL>/<path>`` on the fake provider with
their body unchanged (``model`` too) and the endpoint's key (never the caller's); streams pass
through; the call is traced with its usage; a path segment starting with ``.`` (``..``
included) is a 404."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anthropic
import httpx
import openai
import pytest

from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import SECRET, GatewayServer, endpoint, source, target

__all__ = ["fake_llm"]

USER = [{"role": "user", "content": "hello proxy"}]


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "a")
    )
    yield b
    b.close()


def test_the_sdks_reach_the_provider_path_through_the_raw_proxy(
    fake_llm: FakeLLMServer, backend: Backend
) -> None:
    fake_llm.reset()
    experiment_id = backend.tracking.create_experiment("proxy")
    src = source(
        endpoint("chat", (target(fake_llm, "gpt"),), experiment_id=experiment_id),
        endpoint("claude", (target(fake_llm, "claude", "anthropic"),)),
    )
    with GatewayServer(src, backend) as server:
        proxy = server.base_url + "/gateway/proxy"
        client = openai.OpenAI(base_url=proxy + "/chat", api_key="caller-key", max_retries=0)
        fake_llm.queue_chat("raw answer", input_tokens=5, output_tokens=2)
        answer = client.chat.completions.create(model="my-own-model", messages=USER)  # type: ignore[arg-type]
        assert answer.choices[0].message.content == "raw answer"
        sent = fake_llm.requests_to("/chat/completions")[-1]
        assert sent.body["model"] == "my-own-model"  # not rewritten
        assert sent.headers["authorization"] == f"Bearer {SECRET}"
        chunks = client.chat.completions.create(
            model="my-own-model",
            messages=USER,  # type: ignore[arg-type]
            stream=True,
        )
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)

        claude = anthropic.Anthropic(base_url=proxy + "/claude", api_key="k", max_retries=0)
        message = claude.messages.create(model="claude-x", max_tokens=10, messages=USER)  # type: ignore[arg-type]
        assert message.content[0].type == "text"
        assert fake_llm.requests_to("/messages")[-1].body["model"] == "claude-x"
        fake_llm.queue_error(400, "bad tool schema")
        with pytest.raises(anthropic.BadRequestError) as failed:  # the provider's own error body
            claude.messages.create(model="claude-x", max_tokens=10, messages=USER)  # type: ignore[arg-type]
        assert failed.value.body["type"] == "error"  # type: ignore[index]  # Anthropic's shape
        assert "bad tool schema" in failed.value.body["error"]["message"]  # type: ignore[index]

        for bad in ("/chat/.env", "/chat/v1/.hidden/x", "/chat/../models"):
            r = httpx.post(proxy + bad, json={})
            assert r.status_code == 404, (bad, r.text)
        r = httpx.post(proxy + "/nope/chat/completions", json={"model": "x", "messages": USER})
        assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"
    traces = sorted(backend.traces.search_traces([experiment_id]), key=lambda t: t.request_time)
    assert len(traces) == 2
    assert (traces[0].token_usage.input_tokens, traces[0].token_usage.output_tokens) == (5, 2)
