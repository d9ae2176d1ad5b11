"""A small tool-using agent on the real ``openai`` SDK, recorded and replayed by the tests."""

from __future__ import annotations

import json
from typing import Any

import openai

import ardea
from ardea.entities import Trace
from ardea.tracing.testing import CapturedTraces

MODEL = "gpt-4o-mini"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


@ardea.trace(span_type="TOOL")
def get_weather(city: str) -> dict[str, Any]:
    """The tool: a deterministic forecast (counted, so tests see whether it ran)."""
    CALLS.append(city)
    return {"city": city, "celsius": 21 if city == "Paris" else 12}


CALLS: list[str] = []


def _streamed(stream: Any) -> dict[str, Any]:
    content, calls = "", {}
    for chunk in stream:
        for choice in chunk.choices:
            content += choice.delta.content or ""
            for call in choice.delta.tool_calls or []:
                entry = calls.setdefault(call.index, {"id": None, "name": "", "arguments": ""})
                entry["id"] = call.id or entry["id"]
                if call.function is not None:
                    entry["name"] += call.function.name or ""
                    entry["arguments"] += call.function.arguments or ""
    return {"content": content or None, "tool_calls": [calls[i] for i in sorted(calls)]}


def _message(reply: Any) -> dict[str, Any]:
    calls = reply.tool_calls or []
    return {
        "content": reply.content,
        "tool_calls": [
            {"id": c.id, "name": c.function.name, "arguments": c.function.arguments} for c in calls
        ],
    }


def make_agent(
    client: openai.OpenAI, stream: bool = False, override: dict[str, Any] | None = None
) -> Any:
    """The agent: ask the model, run the tool calls it makes, until it answers in text.

    Args:
        client: The OpenAI client.
        stream: Ask for streamed responses.
        override: Tool arguments to force (a deliberate change in the app's code).
    """

    @ardea.trace(name="agent", span_type="AGENT")
    def agent(question: str) -> str:
        messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
        for _ in range(5):
            extra: dict[str, Any] = {"stream": True} if stream else {}
            reply = client.chat.completions.create(
                model=MODEL, messages=messages, tools=TOOLS, **extra
            )
            msg = _streamed(reply) if stream else _message(reply.choices[0].message)
            if not msg["tool_calls"]:
                return str(msg["content"])
            messages.append({
                "role": "assistant",
                "content": msg["content"],
                "tool_calls": [
                    {"id": c["id"], "type": "function",
                     "function": {"name": c["name"], "arguments": c["arguments"]}}
                    for c in msg["tool_calls"]
                ],
            })  # fmt: skip
            for call in msg["tool_calls"]:
                args = json.loads(call["arguments"])
                args.update(override or {})
                result = get_weather(**args)
                messages.append(
                    {"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result)}
                )
        return "gave up"

    return agent


def script(provider: Any, cities: tuple[str, ...] = ("Paris",)) -> None:
    """Queue the model's answers: one tool call per city, then a final text."""
    for city in cities:
        provider.queue_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": city}}])
    provider.queue_chat("It is sunny.")


def recorded(captured: CapturedTraces) -> Trace:
    """The one trace captured so far, as an entity (then forgets the capture)."""
    infos = captured.traces()
    assert len(infos) == 1, infos
    trace = Trace(info=infos[0], spans=captured.spans())
    captured.clear()
    return trace
