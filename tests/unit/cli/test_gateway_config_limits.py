"""``ardea gateway --config``: rate limits and pattern guardrails from the YAML file, over HTTP.

The standalone gateway app (what ``ardea gateway --config`` serves) with the guard
``config_guard`` builds (process-memory counters: no database, no Redis), behind uvicorn.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
import uvicorn

from ardea.cli.gateway import config_guard
from ardea.gateway.file_source import FileGatewaySource, GatewayConfigError
from ardea.gateway.proxy import Gateway
from ardea.server.gateway import gateway_app
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import free_port

__all__ = ["fake_llm"]

CONFIG = """
endpoints:
  - name: chat
    models: [{provider: openai, name: gpt-4.1-mini, base_url: BASE, config: {api_key: $KEY}}]
    limits: [{scope: user, requests_per_minute: 3}]
    guardrails:
      - {name: no-tickets, patterns: {ticket: "TICKET-[0-9]+"}}
      - name: hide-emails
        action: SANITIZATION
        pii: [email]
"""


@pytest.fixture
def served(
    fake_llm: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", "1")
    monkeypatch.setenv("KEY", "sk-config-0123456789")
    monkeypatch.delenv("ARDEA_GATEWAY_REDIS_URL", raising=False)
    fake_llm.reset()
    path = tmp_path / "gateway.yaml"
    path.write_text(CONFIG.replace("BASE", fake_llm.openai_base_url))
    source = FileGatewaySource(path)
    port = free_port()
    config = uvicorn.Config(
        gateway_app(Gateway(source, guard=config_guard(source, None))),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


def test_limits_and_guardrails_of_the_file_apply(served: str, fake_llm: FakeLLMServer) -> None:
    client = openai.OpenAI(base_url=served + "/gateway/v1", api_key="unused", max_retries=0)
    while 60 - time.time() % 60 < 20:  # every call below, the blocked one too, in one minute
        time.sleep(0.5)
    with pytest.raises(openai.BadRequestError) as blocked:
        client.chat.completions.create(
            model="chat",
            messages=[{"role": "user", "content": "see TICKET-42"}],
        )
    assert blocked.value.response.json()["error"]["code"] == "guardrail_blocked"
    assert "no-tickets" in blocked.value.response.json()["error"]["message"]
    client.chat.completions.create(
        model="chat", messages=[{"role": "user", "content": "mail bo@example.org"}]
    )
    sent = fake_llm.requests_to("/chat/completions")[-1].body["messages"][0]["content"]
    assert sent == "mail [REDACTED:email]"
    passed = 1
    with pytest.raises(openai.RateLimitError) as refused:
        for _ in range(5):
            client.chat.completions.create(
                model="chat", messages=[{"role": "user", "content": "hi"}]
            )
            passed += 1
    # the blocked call was refused after the limit counted it (limits come first)
    assert passed == 2
    assert refused.value.response.headers["retry-after"]


def test_a_guardrail_in_the_file_is_validated_with_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "endpoints:\n"
        "  - name: chat\n"
        "    models: [{provider: openai, name: m}]\n"
        "    guardrails:\n"
        "      - {name: g, stage: DURING, pii: [dna], patterns: {x: '('}}\n"
        "      - {name: empty}\n"
    )
    with pytest.raises(GatewayConfigError) as bad:
        FileGatewaySource(path, env={})
    text = str(bad.value)
    assert "guardrails[0].stage: expected BEFORE or AFTER" in text
    assert "guardrails[0].pii: expected a list of" in text
    assert "guardrails[0].patterns.x: not a valid regular expression" in text
    assert "guardrails[1]: give pii" in text
    assert f"{path}:5:" in text
