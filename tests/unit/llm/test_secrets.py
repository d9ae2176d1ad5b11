"""Keys never show: not in reprs, exceptions, logs or spans."""

from __future__ import annotations

import logging

import pytest

from ardea.llm import get_client
from ardea.llm.errors import AuthenticationError
from ardea.tracing import provider, start_span
from ardea.tracing.exporters import InMemoryExporter
from fixtures.fake_llm_server import FakeLLMServer

KEY = "sk-live-THIS-MUST-NEVER-LEAK-0123456789"


def test_reprs_hide_the_key(llm: FakeLLMServer) -> None:
    client = get_client("openai:/gpt-4o", base_url=llm.openai_base_url, api_key=KEY,
                        extra_headers={"X-Custom-Auth": KEY})  # fmt: skip
    for text in (repr(client), str(client), repr(client.config), str(client.config.headers)):
        assert KEY not in text
    assert "Secret('***')" in repr(client.config)


def test_a_provider_echoing_the_key_has_it_masked(llm: FakeLLMServer) -> None:
    llm.queue_error(401, f"Incorrect API key provided: {KEY}.")
    client = get_client("openai:/gpt-4o", base_url=llm.openai_base_url, api_key=KEY)
    with pytest.raises(AuthenticationError) as err:
        client.chat("hi")
    for text in (str(err.value), repr(err.value), err.value.body, str(err.value.details)):
        assert KEY not in text
    assert "Incorrect API key provided: ***" in err.value.body


def test_logs_and_spans_never_hold_the_key(
    llm: FakeLLMServer, caplog: pytest.LogCaptureFixture
) -> None:
    memory = InMemoryExporter()
    provider.reset()
    provider.configure(exporter=memory, schedule_delay=0.05)
    try:
        client = get_client("anthropic:/claude-3-5-haiku-20241022",
                            base_url=llm.anthropic_base_url, api_key=KEY)  # fmt: skip
        with caplog.at_level(logging.DEBUG), start_span("root"):
            client.chat("hi")
            llm.queue_error(500, f"upstream said {KEY}")
            llm.queue_error(500, f"upstream said {KEY}")
            with pytest.raises(Exception):  # noqa: B017 - any error; its text is checked below
                get_client("anthropic:/claude-3-5-haiku-20241022", base_url=llm.anthropic_base_url,
                           api_key=KEY, max_retries=1).chat("fail")  # fmt: skip
        provider.flush()
        dumped = " ".join(f"{s.name} {dict(s.attributes or {})} {s.events}" for s in memory.spans)
        assert "anthropic.chat" in dumped and KEY not in dumped
        assert KEY not in caplog.text
    finally:
        provider.reset()
