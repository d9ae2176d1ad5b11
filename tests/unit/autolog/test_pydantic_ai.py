"""PydanticAI autologging: real agents with OpenAIChatModel against the fake provider."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic_ai import Agent
from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

import ardea
from ardea.autolog import openai as openai_autolog
from ardea.autolog import pydantic_ai as pydantic_ai_autolog
from ardea.entities import Span
from ardea.tracing.testing import CapturedTraces, capture_traces
from fixtures.fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.usefixtures("no_genai_patches")


def _cost(inp: int, out: int) -> float:
    return (inp * 0.15 + out * 0.6) / 1e6  # gpt-4o-mini


@pytest.fixture
def agent(fake_llm: FakeLLMServer) -> Agent[None, str]:
    fake_llm.reset()
    provider = OpenAIProvider(base_url=fake_llm.openai_base_url, api_key="sk-x")
    helper: Agent[None, str] = Agent(
        OpenAIChatModel("gpt-4o-mini", provider=provider), instructions="be brief", name="helper"
    )

    @helper.tool_plain
    def get_weather(city: str) -> str:
        """Weather of a city."""
        return f"sunny in {city}"

    return helper


@pytest.fixture
def captured() -> Iterator[CapturedTraces]:
    pydantic_ai_autolog.autolog()
    with capture_traces() as cap:
        yield cap


def _root(spans: list[Span]) -> Span:
    (root,) = [s for s in spans if s.parent_span_id is None]
    return root


def test_run_sync_with_a_tool(
    fake_llm: FakeLLMServer, agent: Agent[None, str], captured: CapturedTraces
) -> None:
    openai_autolog.autolog()  # the SDK call under each model span must add no span
    fake_llm.queue_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    assert agent.run_sync("weather in Oslo?").output == "echo: weather in Oslo?"
    spans = captured.spans()
    root = _root(spans)
    assert (root.name, root.span_type) == ("invoke_agent helper", "AGENT")
    assert (root.inputs, root.outputs) == ("weather in Oslo?", "echo: weather in Oslo?")
    kids = sorted(
        ((s.span_type, s.name) for s in spans if s.parent_span_id == root.span_id),
    )
    assert kids == [
        ("CHAT_MODEL", "chat gpt-4o-mini"),
        ("CHAT_MODEL", "chat gpt-4o-mini"),
        ("TOOL", "execute_tool get_weather"),
    ]
    assert len(spans) == 4 and all(s.status_code == "OK" for s in spans)
    tool = next(s for s in spans if s.span_type == "TOOL")
    assert (tool.inputs, tool.outputs) == ({"city": "Oslo"}, "sunny in Oslo")
    first, second = sorted(
        (s for s in spans if s.span_type == "CHAT_MODEL"), key=lambda s: s.start_time_ns
    )
    assert first.inputs[0]["parts"][0]["content"] == "weather in Oslo?"
    assert first.outputs[0]["parts"][0]["name"] == "get_weather"
    assert second.outputs[0]["parts"][0]["content"] == "echo: weather in Oslo?"
    attrs = first.attributes
    assert (attrs["mlflow.llm.model"], attrs["mlflow.llm.provider"]) == ("gpt-4o-mini", "openai")
    assert attrs["mlflow.chat.tools"][0]["name"] == "get_weather"
    assert attrs["mlflow.chat.tokenUsage"] == {
        "input_tokens": 5, "output_tokens": 2, "total_tokens": 7,
    }  # fmt: skip
    assert attrs["mlflow.llm.cost"]["total_cost"] == pytest.approx(_cost(5, 2))
    assert "mlflow.chat.tokenUsage" not in root.attributes  # no double count
    from ardea.autolog._llm_call import framework_llm_spans

    assert framework_llm_spans == set()


def test_async_run_nests_under_the_callers_span(
    agent: Agent[None, str], captured: CapturedTraces
) -> None:
    async def go() -> str:
        with ardea.start_span("caller"):
            return (await agent.run("hello async")).output

    assert asyncio.run(go()) == "echo: hello async"
    spans = captured.spans()
    caller = _root(spans)
    run = next(s for s in spans if s.span_type == "AGENT")
    assert run.parent_span_id == caller.span_id
    assert len({s.trace_id for s in spans}) == 1


def test_run_stream(agent: Agent[None, str], captured: CapturedTraces) -> None:
    async def go() -> str:
        async with agent.run_stream("stream me please") as result:
            return "".join([c async for c in result.stream_text(delta=True)])

    assert asyncio.run(go()) == "echo: stream me please"
    spans = captured.spans()
    root = _root(spans)
    assert (root.span_type, root.outputs) == ("AGENT", "echo: stream me please")
    (model,) = [s for s in spans if s.span_type == "CHAT_MODEL"]
    assert model.outputs[0]["parts"][0]["content"] == "echo: stream me please"
    usage = model.attributes["mlflow.chat.tokenUsage"]
    assert usage["output_tokens"] == 4
    assert model.attributes["mlflow.llm.cost"]["total_cost"] == pytest.approx(
        _cost(usage["input_tokens"], 4)
    )


def test_model_error_ends_spans_as_error_and_propagates(
    fake_llm: FakeLLMServer, agent: Agent[None, str], captured: CapturedTraces
) -> None:
    fake_llm.queue_error(400, "bad prompt")
    with pytest.raises(ModelHTTPError, match="bad prompt"):
        agent.run_sync("x")
    spans = captured.spans()
    assert {s.status_code for s in spans} == {"ERROR"}
    assert _root(spans).inputs == "x"


def test_agents_with_their_own_setting_keep_it(
    fake_llm: FakeLLMServer, captured: CapturedTraces
) -> None:
    provider = OpenAIProvider(base_url=fake_llm.openai_base_url, api_key="sk-x")
    quiet: Agent[None, str] = Agent(OpenAIChatModel("gpt-4o-mini", provider=provider))
    quiet.instrument = False
    assert quiet.run_sync("hush").output == "echo: hush"
    assert captured.spans() == []


def test_revert_restores_the_previous_default(
    agent: Agent[None, str], captured: CapturedTraces
) -> None:
    pydantic_ai_autolog.revert()
    assert not pydantic_ai_autolog.is_enabled()
    assert Agent._instrument_default is False
    agent.run_sync("quiet")
    assert captured.spans() == []
    pydantic_ai_autolog.autolog()
    pydantic_ai_autolog.autolog()  # idempotent
    agent.run_sync("loud")
    assert len([s for s in captured.spans() if s.span_type == "AGENT"]) == 1


def test_a_removed_hook_warns_once_and_runs_still_work(
    agent: Agent[None, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    monkeypatch.delattr(Agent, "instrument_all")  # the library "changed shape"
    with caplog.at_level(logging.WARNING, logger="ardea"), capture_traces() as cap:
        pydantic_ai_autolog.autolog()
        pydantic_ai_autolog.autolog()
        assert agent.run_sync("still works").output == "echo: still works"
    warned = [r for r in caplog.records if "pydantic_ai autolog" in r.getMessage()]
    assert len(warned) == 1
    assert not pydantic_ai_autolog.is_enabled() and cap.spans() == []


def test_facade_and_registry_name() -> None:
    assert ardea.pydantic_ai is pydantic_ai_autolog
    found: Any = ardea.autolog.integrations()
    assert found["pydantic_ai"] == "ardea.autolog.pydantic_ai"


def test_ardea_autolog_enables_the_agent_frameworks_on_their_first_import() -> None:
    import json
    import os
    import subprocess
    import sys
    import textwrap

    code = """
        import json, sys
        import ardea
        enabled = ardea.autolog()
        before = [m for m in ("agents", "langgraph.graph", "pydantic_ai") if m in sys.modules]
        import agents, langgraph.graph, pydantic_ai
        print(json.dumps({"enabled": enabled, "before": before,
                          "on": [ardea.openai_agents.is_enabled(), ardea.langgraph.is_enabled(),
                                 ardea.langchain.is_enabled(), ardea.pydantic_ai.is_enabled()]}))
    """
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=300, env=dict(os.environ))  # fmt: skip
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"agents", "langgraph.graph", "pydantic_ai"} <= set(result["enabled"])
    assert result["before"] == [] and result["on"] == [True, True, True, True]
