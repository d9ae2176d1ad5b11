"""Read LangChain callback arguments into span names, inputs, outputs, model and usage."""

from __future__ import annotations

from typing import Any

from ardea.autolog._llm_call import MODEL, PROVIDER, TOOLS, usage_attributes
from ardea.autolog._llm_call import positive_int as _int

__all__ = ["documents", "llm_end_attributes", "llm_start_attributes", "outputs", "run_name"]


def run_name(serialized: Any, kwargs: dict[str, Any], default: str) -> str:
    """The run's name: the ``name`` LangChain passes, else the serialized class name."""
    name = kwargs.get("name")
    if isinstance(name, str) and name:
        return name
    if isinstance(serialized, dict):
        declared = serialized.get("name")
        if isinstance(declared, str) and declared:
            return declared
        ids = serialized.get("id")
        if isinstance(ids, list) and ids and isinstance(ids[-1], str):
            return ids[-1]
    return default


def llm_start_attributes(metadata: dict[str, Any] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Model, provider and tools of a chat model / LLM run, from its invocation parameters."""
    params = kwargs.get("invocation_params") or {}
    meta = metadata or {}
    attrs: dict[str, Any] = {}
    model = params.get("model") or params.get("model_name") or meta.get("ls_model_name")
    if isinstance(model, str) and model:
        attrs[MODEL] = model
    provider = meta.get("ls_provider")
    if isinstance(provider, str) and provider:
        attrs[PROVIDER] = provider
    tools = params.get("tools")
    if isinstance(tools, list) and tools:
        attrs[TOOLS] = tools
    return attrs


def llm_end_attributes(response: Any, model: str | None, provider: str | None) -> dict[str, Any]:
    """Model (as the provider answered it), token usage and cost of an ``LLMResult``."""
    llm_output = getattr(response, "llm_output", None) or {}
    answered = llm_output.get("model_name") or llm_output.get("model")
    if isinstance(answered, str) and answered:
        model = answered
    attrs: dict[str, Any] = {MODEL: model} if model else {}
    usage = _usage_metadata(response) or _token_usage(llm_output)
    if usage is not None:
        attrs.update(usage_attributes(model, provider or "", *usage))
    return attrs


def _usage_metadata(response: Any) -> tuple[int, int, int, int, int] | None:
    found = False
    inp = out = total = cached = written = 0
    for generations in getattr(response, "generations", None) or []:
        for generation in generations:
            usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
            if not isinstance(usage, dict):
                continue
            found = True
            i, o = _int(usage.get("input_tokens")), _int(usage.get("output_tokens"))
            inp, out, total = inp + i, out + o, total + (_int(usage.get("total_tokens")) or i + o)
            details = usage.get("input_token_details") or {}
            cached += _int(details.get("cache_read"))
            written += _int(details.get("cache_creation"))
    if not found:
        return None
    cached = min(cached, inp)
    return inp, out, total, cached, min(written, inp - cached)


def _token_usage(llm_output: dict[str, Any]) -> tuple[int, int, int, int, int] | None:
    usage = llm_output.get("token_usage") or llm_output.get("usage")
    if not isinstance(usage, dict):
        return None
    inp = _int(usage.get("prompt_tokens")) or _int(usage.get("input_tokens"))
    out = _int(usage.get("completion_tokens")) or _int(usage.get("output_tokens"))
    return inp, out, _int(usage.get("total_tokens")) or inp + out, 0, 0


def documents(docs: Any) -> list[dict[str, Any]]:
    """Retrieved documents as ``{"page_content", "metadata", "id"}`` dicts."""
    out = []
    for doc in docs or []:
        out.append({
            "page_content": getattr(doc, "page_content", None),
            "metadata": getattr(doc, "metadata", None),
            "id": getattr(doc, "id", None),
        })  # fmt: skip
    return out


def outputs(value: Any) -> Any:
    """``value`` as span outputs; an ``LLMResult`` keeps each message's own fields.

    Pydantic dumps ``ChatGeneration.message`` as a ``BaseMessage``, dropping ``AIMessage``
    fields such as ``tool_calls`` and ``usage_metadata``; this dumps each message itself.
    """
    generations = getattr(value, "generations", None)
    if not isinstance(generations, list) or not hasattr(value, "llm_output"):
        return value
    return {
        "generations": [[_generation(g) for g in batch] for batch in generations],
        "llm_output": value.llm_output,
    }


def _generation(generation: Any) -> Any:
    dump = getattr(generation, "model_dump", None)
    data = dump() if callable(dump) else {"text": getattr(generation, "text", None)}
    message = getattr(generation, "message", None)
    message_dump = getattr(message, "model_dump", None)
    if callable(message_dump):
        data["message"] = message_dump()
    return data
