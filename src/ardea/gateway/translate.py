"""Calls across dialects, through :mod:`ardea.llm`'s adapters (non-streaming).

An OpenAI chat to an Anthropic target, an Anthropic message to an OpenAI-speaking one.

Same-dialect calls never come here: their bodies pass through with only ``model`` rewritten.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from ardea.gateway.upstream import Upstream
from ardea.llm.adapters import adapter_for
from ardea.llm.adapters.base import ChatParams, HttpRequest, ParsedChat

__all__ = [
    "anthropic_to_openai_request",
    "openai_answer_to_anthropic",
    "openai_to_adapter_request",
    "parsed_to_openai_answer",
]

_STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


def _params(upstream: Upstream, body: dict[str, Any]) -> ChatParams:
    stop = body.get("stop")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    return ChatParams(
        model=upstream.model,
        messages=list(body.get("messages") or []),
        temperature=body.get("temperature"),
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        tools=body.get("tools"),
        tool_choice=body.get("tool_choice"),
        stop=[stop] if isinstance(stop, str) else stop,
    )


def openai_to_adapter_request(
    upstream: Upstream, body: dict[str, Any]
) -> tuple[HttpRequest, ChatParams]:
    """The provider request of an OpenAI chat ``body`` for a non-OpenAI ``upstream``."""
    if upstream.config is None:  # pragma: no cover - build_upstream always sets it
        raise ValueError("upstream without a provider config")
    params = _params(upstream, body)
    adapter = adapter_for(upstream.config.wire, upstream.provider)
    return adapter.chat_request(upstream.config, params), params


def parse_adapter_answer(upstream: Upstream, answer: Any, params: ChatParams) -> ParsedChat:
    """Read a non-OpenAI provider's chat answer."""
    if upstream.config is None:  # pragma: no cover
        raise ValueError("upstream without a provider config")
    return adapter_for(upstream.config.wire, upstream.provider).parse_chat(answer, params)


def parsed_to_openai_answer(parsed: ParsedChat, endpoint: str) -> dict[str, Any]:
    """An OpenAI chat completion built from another provider's answer."""
    message: dict[str, Any] = {"role": "assistant", "content": parsed.text or None}
    if parsed.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": orjson.dumps(call.arguments).decode()},
            }
            for call in parsed.tool_calls
        ]
    usage = parsed.usage
    return {
        "id": parsed.response_id or f"chatcmpl-{int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": endpoint,
        "choices": [{"index": 0, "message": message, "finish_reason": parsed.finish_reason}],
        "usage": {
            "prompt_tokens": usage.input_tokens,
            "completion_tokens": usage.output_tokens,
            "total_tokens": usage.input_tokens + usage.output_tokens,
        },
    }


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(b.get("text") or "")
            for b in content
            if isinstance(b, dict) and b.get("type") == "text"
        )
    return ""


def _openai_messages(message: dict[str, Any]) -> list[dict[str, Any]]:
    """One Anthropic turn as OpenAI messages (tool results become ``tool`` messages)."""
    role = message.get("role")
    content = message.get("content")
    if isinstance(content, str) or not isinstance(content, list):
        return [{"role": role, "content": _text(content)}]
    out: list[dict[str, Any]] = []
    calls = []
    texts: list[str] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            texts.append(str(block.get("text") or ""))
        elif kind == "tool_use":
            arguments = orjson.dumps(block.get("input") or {}).decode()
            calls.append(
                {
                    "id": block.get("id"),
                    "type": "function",
                    "function": {"name": block.get("name"), "arguments": arguments},
                }
            )
        elif kind == "tool_result":
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": block.get("tool_use_id"),
                    "content": _text(block.get("content")),
                }
            )
    if texts or calls:
        turn: dict[str, Any] = {"role": role, "content": "".join(texts) or None}
        if calls:
            turn["tool_calls"] = calls
        out.insert(0, turn)
    return out


def anthropic_to_openai_request(body: dict[str, Any], model: str) -> dict[str, Any]:
    """An OpenAI chat request body from an Anthropic Messages ``body``."""
    messages: list[dict[str, Any]] = []
    system = body.get("system")
    if system:
        messages.append({"role": "system", "content": _text(system)})
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            messages.extend(_openai_messages(message))
    out: dict[str, Any] = {"model": model, "messages": messages}
    if isinstance(body.get("max_tokens"), int):
        out["max_tokens"] = body["max_tokens"]
    for key in ("temperature", "top_p"):
        if key in body:
            out[key] = body[key]
    if body.get("stop_sequences"):
        out["stop"] = body["stop_sequences"]
    tools = body.get("tools")
    if isinstance(tools, list) and tools:
        out["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.get("name"),
                    "description": t.get("description", ""),
                    "parameters": t.get("input_schema") or {"type": "object"},
                },
            }
            for t in tools
            if isinstance(t, dict)
        ]
    return out


def openai_answer_to_anthropic(answer: Any, endpoint: str) -> dict[str, Any]:
    """An Anthropic ``message`` built from an OpenAI chat completion."""
    choice: dict[str, Any] = {}
    if isinstance(answer, dict) and answer.get("choices"):
        first = answer["choices"][0]
        choice = first if isinstance(first, dict) else {}
    message = choice.get("message") or {}
    blocks: list[dict[str, Any]] = []
    if message.get("content"):
        blocks.append({"type": "text", "text": _text(message.get("content"))})
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        try:
            arguments = orjson.loads(function.get("arguments") or "{}")
        except orjson.JSONDecodeError:
            arguments = {}
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id"),
                "name": function.get("name"),
                "input": arguments,
            }
        )
    usage = answer.get("usage") if isinstance(answer, dict) else None
    usage = usage if isinstance(usage, dict) else {}
    finish = choice.get("finish_reason") or "stop"
    return {
        "id": (answer.get("id") if isinstance(answer, dict) else None) or "msg_gateway",
        "type": "message",
        "role": "assistant",
        "model": endpoint,
        "content": blocks,
        "stop_reason": _STOP.get(finish, "end_turn"),
        "stop_sequence": None,
        "usage": {
            "input_tokens": usage.get("prompt_tokens", 0),
            "output_tokens": usage.get("completion_tokens", 0),
        },
    }
