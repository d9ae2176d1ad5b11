"""Read Anthropic SDK requests and responses into span attributes and assembled messages.

Anthropic reports ``input_tokens`` without the cached part; the span's token usage follows
OpenAI's convention instead (``input_tokens`` = the whole prompt, cache reads and writes
included), as :func:`ardea.llm.pricing.compute_cost` expects.
"""

from __future__ import annotations

import json
from typing import Any

from ardea.autolog._llm_call import MODEL, TOOLS
from ardea.autolog._llm_call import field as _get
from ardea.llm.usage import anthropic_usage

__all__ = ["MessageAccumulator", "result_attributes", "tools_attrs"]

PROVIDER = "anthropic"


def tools_attrs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``{"mlflow.chat.tools": [...]}`` in Chat Completions form, when the request has tools."""
    tools = kwargs.get("tools")
    if not isinstance(tools, list | tuple) or not tools:
        return {}
    out = []
    for tool in tools:
        if isinstance(tool, dict) and "input_schema" in tool:
            fn = {"name": tool.get("name"), "parameters": tool["input_schema"]}
            if tool.get("description") is not None:
                fn["description"] = tool["description"]
            out.append({"type": "function", "function": fn})
        else:
            out.append(tool)  # server tools (web search, ...) as they are
    return {TOOLS: out}


def result_attributes(result: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Model, token usage and cost of a non-streamed message."""
    model = _get(result, "model") or kwargs.get("model")
    model = model if isinstance(model, str) else None
    attrs: dict[str, Any] = {MODEL: model} if model else {}
    attrs.update(anthropic_usage(_get(result, "usage"), model))
    return attrs


class MessageAccumulator:
    """Assembles the raw events of ``messages.create(stream=True)`` into a message dict.

    Args:
        kwargs: The request arguments (for the model name).
    """

    def __init__(self, kwargs: dict[str, Any]) -> None:
        model = kwargs.get("model")
        self.message: dict[str, Any] = {
            "type": "message",
            "role": "assistant",
            "model": model if isinstance(model, str) else None,
            "content": [],
        }
        self.usage: dict[str, Any] = {}
        self.blocks: dict[int, dict[str, Any]] = {}
        self.partial_json: dict[int, str] = {}

    def add(self, item: Any) -> None:
        """Take one event."""
        kind = _get(item, "type")
        if kind == "message_start":
            start = _get(item, "message")
            for name in ("id", "model", "role"):
                if _get(start, name):
                    self.message[name] = _get(start, name)
            self._usage(_get(start, "usage"))
        elif kind == "content_block_start":
            block = _get(item, "content_block")
            dump = getattr(block, "model_dump", None)
            self.blocks[_get(item, "index", 0)] = dict(dump() if callable(dump) else block or {})
        elif kind == "content_block_delta":
            self._delta(_get(item, "index", 0), _get(item, "delta"))
        elif kind == "message_delta":
            delta = _get(item, "delta")
            for name in ("stop_reason", "stop_sequence"):
                self.message[name] = _get(delta, name)
            self._usage(_get(item, "usage"))

    def _usage(self, usage: Any) -> None:
        for name in (
            "input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
        ):
            value = _get(usage, name)
            if isinstance(value, int):
                self.usage[name] = value

    def _delta(self, index: int, delta: Any) -> None:
        block = self.blocks.setdefault(index, {"type": "text", "text": ""})
        kind = _get(delta, "type")
        if kind == "text_delta":
            block["text"] = (block.get("text") or "") + (_get(delta, "text") or "")
        elif kind == "input_json_delta":
            self.partial_json[index] = self.partial_json.get(index, "") + (
                _get(delta, "partial_json") or ""
            )
        elif kind == "thinking_delta":
            block["thinking"] = (block.get("thinking") or "") + (_get(delta, "thinking") or "")

    def result(self) -> tuple[Any, dict[str, Any]]:
        """The assembled message and the span attributes."""
        for index, text in self.partial_json.items():
            try:
                self.blocks[index]["input"] = json.loads(text) if text else {}
            except ValueError:
                self.blocks[index]["input"] = text
        self.message["content"] = [self.blocks[i] for i in sorted(self.blocks)]
        self.message["usage"] = self.usage
        model = self.message.get("model")
        attrs: dict[str, Any] = {MODEL: model} if model else {}
        attrs.update(anthropic_usage(self.usage or None, model))
        return self.message, attrs
