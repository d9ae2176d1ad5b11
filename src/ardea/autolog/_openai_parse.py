"""Read OpenAI SDK requests and responses into span inputs, outputs, usage and tools.

Works on the SDK's pydantic objects and on plain dicts alike (``_get``), so a response shape
this module does not know yields fewer attributes, never an error in the user's call.
"""

from __future__ import annotations

from typing import Any

from ardea.autolog._llm_call import MODEL, TOOLS, clean_inputs
from ardea.autolog._llm_call import field as _get
from ardea.llm.usage import openai_usage

__all__ = [
    "ChatAccumulator",
    "CompletionAccumulator",
    "ResponsesAccumulator",
    "clean_inputs",
    "result_attributes",
    "tools_attribute",
]

PROVIDER = "openai"


def tools_attribute(kwargs: dict[str, Any]) -> list[Any] | None:
    """The request's tools in Chat Completions form (``{"type": "function", "function"}``)."""
    tools = kwargs.get("tools")
    if not isinstance(tools, list | tuple) or not tools:
        return None
    out = []
    for tool in tools:
        if isinstance(tool, dict) and tool.get("type") == "function" and "function" not in tool:
            fn = {k: tool[k] for k in ("name", "description", "parameters", "strict") if k in tool}
            out.append({"type": "function", "function": fn})  # Responses API shape
        else:
            out.append(tool)
    return out


def result_attributes(
    result: Any, kwargs: dict[str, Any], provider: str = PROVIDER
) -> dict[str, Any]:
    """Model, token usage and cost of a non-streamed response (``provider``: price section)."""
    model = _get(result, "model") or kwargs.get("model")
    attrs: dict[str, Any] = {MODEL: model} if isinstance(model, str) else {}
    model = model if isinstance(model, str) else None
    attrs.update(openai_usage(_get(result, "usage"), model, provider))
    return attrs


class ChatAccumulator:
    """Assembles ``chat.completion.chunk`` items into one ``chat.completion`` dict.

    Args:
        kwargs: The request arguments (for the model name).

    Attributes:
        provider: The price table section for the usage's cost (OpenAI-compatible APIs
            subclass this with their own).
    """

    provider = PROVIDER

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.model: str | None = (
            kwargs.get("model") if isinstance(kwargs.get("model"), str) else None
        )
        self.id: str | None = None
        self.created: int | None = None
        self.usage: Any = None
        self.choices: dict[int, dict[str, Any]] = {}
        self.tool_calls: dict[int, dict[int, dict[str, Any]]] = {}

    def add(self, item: Any) -> None:
        """Take one chunk."""
        self.id = self.id or _get(item, "id")
        self.created = self.created or _get(item, "created")
        self.model = _get(item, "model") or self.model
        if _get(item, "usage") is not None:
            self.usage = _get(item, "usage")
        for choice in _get(item, "choices") or []:
            index = _get(choice, "index", 0)
            entry = self.choices.setdefault(index, {
                "index": index,
                "message": {"role": "assistant", "content": None},
                "finish_reason": None,
            })  # fmt: skip
            delta = _get(choice, "delta")
            message = entry["message"]
            if _get(delta, "role"):
                message["role"] = _get(delta, "role")
            if _get(delta, "content"):
                message["content"] = (message["content"] or "") + _get(delta, "content")
            for call in _get(delta, "tool_calls") or []:
                self._add_tool_call(index, call)
            if _get(choice, "finish_reason"):
                entry["finish_reason"] = _get(choice, "finish_reason")

    def _add_tool_call(self, choice: int, call: Any) -> None:
        calls = self.tool_calls.setdefault(choice, {})
        entry = calls.setdefault(_get(call, "index", len(calls)), {
            "id": None, "type": "function", "function": {"name": "", "arguments": ""},
        })  # fmt: skip
        if _get(call, "id"):
            entry["id"] = _get(call, "id")
        fn = _get(call, "function")
        if _get(fn, "name"):
            entry["function"]["name"] += _get(fn, "name")
        if _get(fn, "arguments"):
            entry["function"]["arguments"] += _get(fn, "arguments")

    def result(self) -> tuple[Any, dict[str, Any]]:
        """The assembled ``chat.completion`` and the span attributes."""
        choices = []
        for index in sorted(self.choices):
            entry = self.choices[index]
            calls = self.tool_calls.get(index)
            if calls:
                entry["message"]["tool_calls"] = [calls[i] for i in sorted(calls)]
            choices.append(entry)
        outputs = {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": choices,
            "usage": self.usage,
        }
        attrs: dict[str, Any] = {MODEL: self.model} if self.model else {}
        attrs.update(openai_usage(self.usage, self.model, self.provider))
        return outputs, attrs


class CompletionAccumulator(ChatAccumulator):
    """Assembles legacy ``text_completion`` chunks (``choices[].text``)."""

    def add(self, item: Any) -> None:
        """Take one chunk."""
        self.id = self.id or _get(item, "id")
        self.model = _get(item, "model") or self.model
        if _get(item, "usage") is not None:
            self.usage = _get(item, "usage")
        for choice in _get(item, "choices") or []:
            index = _get(choice, "index", 0)
            entry = self.choices.setdefault(
                index, {"index": index, "text": "", "finish_reason": None}
            )
            entry["text"] += _get(choice, "text") or ""
            if _get(choice, "finish_reason"):
                entry["finish_reason"] = _get(choice, "finish_reason")

    def result(self) -> tuple[Any, dict[str, Any]]:
        """The assembled ``text_completion`` and the span attributes."""
        outputs = {
            "id": self.id,
            "object": "text_completion",
            "model": self.model,
            "choices": [self.choices[i] for i in sorted(self.choices)],
            "usage": self.usage,
        }
        attrs: dict[str, Any] = {MODEL: self.model} if self.model else {}
        attrs.update(openai_usage(self.usage, self.model))
        return outputs, attrs


class ResponsesAccumulator:
    """Keeps the final ``Response`` of a streamed Responses API call.

    Args:
        kwargs: The request arguments (for the model name).
    """

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.kwargs = kwargs
        self.response: Any = None
        self.text: list[str] = []

    def add(self, item: Any) -> None:
        """Take one event; ``response.completed`` (or failed/incomplete) holds the response."""
        kind = _get(item, "type") or ""
        if kind == "response.output_text.delta":
            self.text.append(_get(item, "delta") or "")
        if _get(item, "response") is not None and kind in (
            "response.completed",
            "response.incomplete",
            "response.failed",
        ):
            self.response = _get(item, "response")

    def result(self) -> tuple[Any, dict[str, Any]]:
        """The final response (or the streamed text when it never came) and attributes."""
        if self.response is None:
            model = self.kwargs.get("model")
            return "".join(self.text), ({MODEL: model} if isinstance(model, str) else {})
        return self.response, result_attributes(self.response, self.kwargs)


def tools_attrs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``{"mlflow.chat.tools": [...]}`` when the request has tools."""
    tools = tools_attribute(kwargs)
    return {TOOLS: tools} if tools else {}
