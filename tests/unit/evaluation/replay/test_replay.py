"""``ardea.replay`` on traces recorded through the real ``openai`` SDK and the fake provider."""

from __future__ import annotations

import json

import openai
import pytest

from ardea.evaluation.replay import Divergence, ReplayResult, Step, replay
from ardea.evaluation.replay._result import tag_value
from ardea.tracing.testing import CapturedTraces
from fixtures.fake_llm_server import FakeLLMServer

from . import agent as a


def _client(provider: FakeLLMServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=provider.openai_base_url, api_key="sk-test", max_retries=0)


def _record(provider: FakeLLMServer, captured: CapturedTraces, stream: bool = False) -> a.Trace:
    a.script(provider)
    answer = a.make_agent(_client(provider), stream=stream)(question="Weather in Paris?")
    assert answer == "It is sunny."
    assert len(provider.requests) == 2
    return a.recorded(captured)


@pytest.mark.parametrize("stream", [False, True])
def test_replay_serves_the_recording_with_the_provider_stopped(
    provider: FakeLLMServer, captured: CapturedTraces, stream: bool
) -> None:
    trace = _record(provider, captured, stream=stream)
    client = _client(provider)
    provider.stop()
    a.CALLS.clear()

    result = replay(trace, a.make_agent(client, stream=stream))

    assert isinstance(result, ReplayResult)
    assert result.passed, result.summary()
    assert result.outputs == "It is sunny."
    assert [(s.kind, s.name) for s in result.steps] == [
        ("llm", "Completions"), ("tool", "get_weather"), ("llm", "Completions"),
    ]  # fmt: skip
    assert all(s.served and s.matched for s in result.steps)
    assert result.served == 3
    assert a.CALLS == []  # the tool was served, not run
    new = captured.spans()
    assert {s.trace_id for s in new} == {result.trace_id}
    llm = [s for s in new if s.span_type == "CHAT_MODEL"]
    assert len(llm) == 2 and llm[1].outputs["choices"][0]["message"]["content"] == "It is sunny."
    (root,) = [s for s in new if s.parent_span_id is None]
    info = captured.traces()[0]
    assert info.tags["ardea.replay.status"] == "passed"
    assert info.tags["ardea.replay.source_trace"] == trace.info.trace_id
    assert root.outputs == "It is sunny."


def test_changed_tool_argument_diverges_at_the_tool_step(
    provider: FakeLLMServer, captured: CapturedTraces
) -> None:
    trace = _record(provider, captured)
    client = _client(provider)
    provider.stop()

    result = replay(trace, a.make_agent(client, override={"city": "Oslo"}))

    assert isinstance(result, ReplayResult)
    assert not result.passed
    d = result.divergence
    assert d is not None
    assert (d.kind, d.step, d.span_name) == ("different_call", 1, "get_weather")
    assert d.expected["inputs"] == {"city": "Paris"}
    assert d.got["inputs"] == {"city": "Oslo"}
    assert '-    "city": "Paris"' in d.diff and '+    "city": "Oslo"' in d.diff
    assert d.message == "tool call 'get_weather' with different inputs"
    assert "step 1 (get_weather)" in result.summary()
    tags = captured.traces()[0].tags
    assert tags["ardea.replay.status"] == "diverged"
    stored = json.loads(tags["ardea.replay.result"])
    assert stored["passed"] is False and stored["source_trace_id"] == trace.info.trace_id
    assert stored["steps"][:2] == [
        ["llm", "Completions", True, True],
        ["tool", "get_weather", False, False],
    ]
    assert stored["divergence"]["step"] == 1
    assert json.loads(stored["divergence"]["got"]) == d.got


def test_the_stored_result_fits_a_trace_tag() -> None:
    steps = [Step(i, "tool", f"tool_{i}" * 20, f"{i:016x}", True, True) for i in range(300)]
    big = {"inputs": {"text": "x" * 50_000}}
    divergence = Divergence("different_call", 3, "t", big, big, "m" * 2000)
    result = ReplayResult("tr-1", "tr-2", "all", steps, divergence)
    text = tag_value(result)
    assert len(text) <= 7900
    doc = json.loads(text)
    assert doc["steps"] == [] and doc["steps_left_out"] == 300
    assert doc["divergence"]["step"] == 3 and len(doc["divergence"]["message"]) == 500
