"""Read ``google-genai`` requests and responses into span inputs, outputs, usage and tools.

Works on the SDK's pydantic objects and on plain dicts alike, so a shape this module does not
know yields fewer attributes, never an error in the user's call. Gemini's
``prompt_token_count`` already counts the cached part (``cached_content_token_count``); the
output tokens are the candidates' plus the thinking tokens (priced as output).
"""

from __future__ import annotations

from typing import Any

from ardea.autolog._llm_call import MODEL, TOOLS, field, positive_int, usage_attributes

__all__ = ["PROVIDER", "StreamAccumulator", "clean_inputs", "plain", "result_attributes"]

PROVIDER = "gemini"

_NOT_OUTPUT = {"sdk_http_response", "automatic_function_calling_history"}


def plain(value: Any) -> Any:
    """A pydantic SDK object as JSON data without ``None`` fields or HTTP headers."""
    dump = getattr(value, "model_dump", None)
    if not callable(dump):
        return value
    data = dump(mode="json", exclude_none=True)
    return (
        {k: v for k, v in data.items() if k not in _NOT_OUTPUT} if isinstance(data, dict) else data
    )


def clean_inputs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The request arguments; the config without its ``http_options`` (headers, keys)."""
    inputs = dict(kwargs)
    config = inputs.get("config")
    if config is not None:
        data = plain(config)
        if isinstance(data, dict):  # a copy: the caller's own dict stays as it was
            data = {k: v for k, v in data.items() if k != "http_options"}
        inputs["config"] = data
    contents = inputs.get("contents")
    if contents is not None and not isinstance(contents, str):
        inputs["contents"] = (
            [plain(c) for c in contents] if isinstance(contents, list) else plain(contents)
        )
    return inputs


def tools_attrs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``{"mlflow.chat.tools": [...]}`` (Chat Completions form) for the config's functions."""
    config = kwargs.get("config")
    tools = field(config, "tools")
    if not isinstance(tools, list) or not tools:
        return {}
    out: list[Any] = []
    for tool in tools:
        declarations = field(tool, "function_declarations")
        if not declarations:
            if callable(tool):  # a Python function given for automatic function calling
                fn = {"name": getattr(tool, "__name__", repr(tool))}
                if getattr(tool, "__doc__", None):
                    fn["description"] = tool.__doc__.strip()
                out.append({"type": "function", "function": fn})
            continue
        for decl in declarations:
            fn = {"name": field(decl, "name")}
            if field(decl, "description"):
                fn["description"] = field(decl, "description")
            params = field(decl, "parameters") or field(decl, "parameters_json_schema")
            if params is not None:
                fn["parameters"] = plain(params)
            out.append({"type": "function", "function": fn})
    return {TOOLS: out} if out else {}


def usage(metadata: Any, model: str | None) -> dict[str, Any]:
    """Token usage and cost attributes from a ``usage_metadata``."""
    if metadata is None:
        return {}
    inp = positive_int(field(metadata, "prompt_token_count"))
    inp += positive_int(field(metadata, "tool_use_prompt_token_count"))
    out = positive_int(field(metadata, "candidates_token_count"))
    out += positive_int(field(metadata, "thoughts_token_count"))
    cached = min(positive_int(field(metadata, "cached_content_token_count")), inp)
    total = field(metadata, "total_token_count")
    total = total if isinstance(total, int) and total >= inp + out else None
    return usage_attributes(model, PROVIDER, inp, out, total, cached)


def result_attributes(result: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Model, token usage and cost of a ``GenerateContentResponse``."""
    model = field(result, "model_version") or kwargs.get("model")
    model = model if isinstance(model, str) else None
    attrs: dict[str, Any] = {MODEL: model} if model else {}
    attrs.update(usage(field(result, "usage_metadata"), model))
    return attrs


class StreamAccumulator:
    """Assembles streamed ``GenerateContentResponse`` chunks into one response dict.

    Args:
        kwargs: The request arguments (for the model name).
    """

    def __init__(self, kwargs: dict[str, Any]) -> None:
        model = kwargs.get("model")
        self.model: str | None = model if isinstance(model, str) else None
        self.parts: list[dict[str, Any]] = []
        self.finish_reason: Any = None
        self.usage: Any = None
        self.response_id: Any = None

    def add(self, item: Any) -> None:
        """Take one chunk."""
        self.model = field(item, "model_version") or self.model
        self.response_id = self.response_id or field(item, "response_id")
        if field(item, "usage_metadata") is not None:
            self.usage = field(item, "usage_metadata")
        for candidate in (field(item, "candidates") or [])[:1]:
            if field(candidate, "finish_reason") is not None:
                self.finish_reason = plain(field(candidate, "finish_reason"))
            for part in field(field(candidate, "content"), "parts") or []:
                data = plain(part)
                if not isinstance(data, dict):
                    continue
                last = self.parts[-1] if self.parts else None
                if "text" in data and last is not None and set(last) == {"text"}:
                    last["text"] += data["text"]
                else:
                    self.parts.append(dict(data))

    def result(self) -> tuple[Any, dict[str, Any]]:
        """The assembled response and the span attributes."""
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": self.parts}}
        if self.finish_reason is not None:
            candidate["finish_reason"] = self.finish_reason
        out: dict[str, Any] = {"candidates": [candidate], "model_version": self.model}
        if self.response_id:
            out["response_id"] = self.response_id
        if self.usage is not None:
            out["usage_metadata"] = plain(self.usage)
        attrs: dict[str, Any] = {MODEL: self.model} if self.model else {}
        attrs.update(usage(self.usage, self.model))
        return out, attrs
