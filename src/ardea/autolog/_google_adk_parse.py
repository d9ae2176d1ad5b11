"""Read Google ADK objects (agents, LLM requests and responses, tools) into span data.

Duck-typed over ADK's and google-genai's pydantic models: nothing here imports them.
"""

from __future__ import annotations

from typing import Any

from ardea.autolog._llm_call import MODEL, PROVIDER, TOOLS, field, positive_int, usage_attributes

__all__ = ["agent_inputs", "content", "llm_request", "llm_start_attributes", "LlmAccumulator"]


def content(value: Any) -> Any:
    """A ``types.Content`` (or any pydantic model) as JSON-ready data, ``None`` fields dropped."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(exclude_none=True, mode="json")
    return value


def agent_inputs(parent_context: Any) -> Any:
    """What an agent run starts from: the user's message of the invocation."""
    return content(getattr(parent_context, "user_content", None))


def llm_request(request: Any) -> dict[str, Any]:
    """The span inputs of an LLM call: model, system instruction, contents."""
    config = getattr(request, "config", None)
    inputs: dict[str, Any] = {"model": getattr(request, "model", None)}
    system = getattr(config, "system_instruction", None)
    if system is not None:
        inputs["system_instruction"] = content(system)
    inputs["contents"] = [content(c) for c in getattr(request, "contents", None) or []]
    return inputs


def _provider(model: str | None) -> str:
    return "gemini" if isinstance(model, str) and "gemini" in model else ""


def llm_start_attributes(request: Any) -> dict[str, Any]:
    """Model, provider and declared tools of an LLM request."""
    model = getattr(request, "model", None)
    attrs: dict[str, Any] = {}
    if isinstance(model, str) and model:
        attrs[MODEL] = model
    provider = _provider(model)
    if provider:
        attrs[PROVIDER] = provider
    tools = []
    for tool in getattr(getattr(request, "config", None), "tools", None) or []:
        for decl in getattr(tool, "function_declarations", None) or []:
            tools.append({"type": "function", "function": content(decl)})
    if tools:
        attrs[TOOLS] = tools
    return attrs


class LlmAccumulator:
    """The responses of one LLM call (several when streamed): outputs, model and usage."""

    def __init__(self, model: str | None) -> None:
        self.model = model
        self.final: Any = None
        self.texts: list[str] = []
        self.usage: Any = None

    def add(self, response: Any) -> None:
        """Take one ``LlmResponse``."""
        version = getattr(response, "model_version", None)
        if isinstance(version, str) and version:
            self.model = version
        usage = getattr(response, "usage_metadata", None)
        if usage is not None:
            self.usage = usage
        if getattr(response, "partial", None):
            for part in getattr(getattr(response, "content", None), "parts", None) or []:
                text = getattr(part, "text", None)
                if isinstance(text, str):
                    self.texts.append(text)
        else:
            self.final = response

    def result(self) -> tuple[Any, dict[str, Any]]:
        """``(outputs, attributes)`` once the call ended."""
        if self.final is not None:
            outputs: Any = content(self.final)
        else:
            outputs = {"content": {"role": "model", "parts": [{"text": "".join(self.texts)}]}}
        attrs: dict[str, Any] = {MODEL: self.model} if self.model else {}
        if self.usage is not None:
            inp = positive_int(field(self.usage, "prompt_token_count"))
            out = positive_int(field(self.usage, "candidates_token_count"))
            out += positive_int(field(self.usage, "thoughts_token_count"))
            total = positive_int(field(self.usage, "total_token_count")) or None
            cached = min(positive_int(field(self.usage, "cached_content_token_count")), inp)
            attrs.update(usage_attributes(self.model, _provider(self.model), inp, out, total,
                                          cached))  # fmt: skip
        return outputs, attrs
