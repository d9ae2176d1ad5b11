"""Replay through the ``anthropic`` SDK, and the OpenAI calls replay refuses with a reason."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import openai
import pytest

import ardea
from ardea.autolog import anthropic as anthropic_autolog
from ardea.evaluation.replay import ReplayResult, replay
from ardea.tracing.testing import CapturedTraces
from fixtures.fake_llm_server import FakeLLMServer

from . import agent as a


@pytest.fixture
def anthropic_on(captured: CapturedTraces) -> Iterator[CapturedTraces]:
    anthropic_autolog.autolog()
    yield captured
    anthropic_autolog.revert()


def test_anthropic_messages_replay_with_the_provider_stopped(
    provider: FakeLLMServer, anthropic_on: CapturedTraces
) -> None:
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="k", max_retries=0)

    @ardea.trace(name="ask")
    def ask(text: str) -> str:
        msg = client.messages.create(
            model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": text}]
        )
        return "".join(b.text for b in msg.content if b.type == "text")

    assert ask(text="hello") == "echo: hello"
    trace = a.recorded(anthropic_on)
    provider.stop()

    result = replay(trace, ask)

    assert isinstance(result, ReplayResult) and result.passed, result.summary()
    assert [(s.kind, s.name, s.served) for s in result.steps] == [("llm", "Messages", True)]
    assert result.outputs == "echo: hello"


def test_raw_response_calls_are_refused_with_a_reason(
    provider: FakeLLMServer, captured: CapturedTraces
) -> None:
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="k", max_retries=0)

    @ardea.trace(name="raw")
    def raw(text: str) -> str:
        response = client.chat.completions.with_raw_response.create(
            model=a.MODEL, messages=[{"role": "user", "content": text}]
        )
        return str(response.parse().choices[0].message.content)

    assert raw(text="hi") == "echo: hi"
    trace = a.recorded(captured)
    provider.stop()

    result = replay(trace, raw)

    assert result.divergence is not None and result.divergence.kind == "error"
    assert "with_raw_response" in result.divergence.message
