"""Read LlamaIndex objects into span names, types, inputs, outputs, model and usage.

Pure functions over duck-typed objects: nothing here imports LlamaIndex, so the module is
cheap to import and keeps working when a class moves.
"""

from __future__ import annotations

import inspect
from typing import Any

from ardea.autolog._llm_call import MODEL, PROVIDER, field, positive_int, usage_attributes

__all__ = [
    "documents",
    "inputs",
    "llm_attributes",
    "outputs",
    "provider",
    "span_name",
    "usage",
]

_UUID_TAIL = 37  # "-" + a uuid4: the dispatcher's span ids are "<Class.method>-<uuid4>"
_DROPPED_ARGS = frozenset({"self", "ctx", "context", "workflow", "step_config", "kwargs"})
_DROPPED_ARGS_TYPES = ("Context", "Workflow", "StepConfig", "InternalContext")


def span_name(id_: str) -> str:
    """``OpenAI.chat`` from the dispatcher's span id ``OpenAI.chat-<uuid4>``."""
    if len(id_) > _UUID_TAIL and id_[-_UUID_TAIL] == "-":
        return id_[:-_UUID_TAIL]
    return id_


def inputs(bound_args: inspect.BoundArguments | None) -> dict[str, Any]:
    """The call's arguments without ``self`` and workflow plumbing (context, workflow)."""
    if bound_args is None:
        return {}
    out: dict[str, Any] = {}
    for key, value in bound_args.arguments.items():
        if key in _DROPPED_ARGS or type(value).__name__ in _DROPPED_ARGS_TYPES:
            if key == "kwargs" and isinstance(value, dict):
                out.update({k: v for k, v in value.items() if k not in _DROPPED_ARGS})
            continue
        if key == "args" and value == ():
            continue
        out[key] = value
    return out


def documents(nodes: Any) -> list[dict[str, Any]]:
    """``NodeWithScore`` items as MLflow's retriever documents (score in the metadata)."""
    docs = []
    for item in nodes or []:
        node = getattr(item, "node", item)
        getter = getattr(node, "get_content", None)
        content = getter() if callable(getter) else getattr(node, "text", None)
        metadata = dict(getattr(node, "metadata", None) or {})
        score = getattr(item, "score", None)
        if score is not None:
            metadata["score"] = score
        docs.append({"page_content": content, "metadata": metadata,
                     "id": getattr(node, "node_id", None)})  # fmt: skip
    return docs


def _is_nodes(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(type(v).__name__ == "NodeWithScore" for v in value)
    )


def outputs(result: Any) -> Any:
    """The span outputs of a result: nodes as documents, embeddings summarized."""
    if _is_nodes(result):
        return documents(result)
    if type(result).__name__ == "ToolOutput":
        return getattr(result, "content", None)
    if isinstance(result, list) and result and isinstance(result[0], float):
        return {"dimensions": len(result)}
    if isinstance(result, list) and result and isinstance(result[0], list):
        first = result[0]
        if first and isinstance(first[0], float):
            return {"embeddings": len(result), "dimensions": len(first)}
    if type(result).__name__ in ("Response", "PydanticResponse") and hasattr(
        result, "source_nodes"
    ):
        return {
            "response": str(getattr(result, "response", "")),
            "source_nodes": documents(result.source_nodes),
            "metadata": getattr(result, "metadata", None),
        }
    return result


def provider(instance: Any) -> str:
    """The provider of an LLM or embedding class: ``openai`` for ``llama_index.llms.openai``."""
    parts = type(instance).__module__.split(".")
    if len(parts) > 2 and parts[0] == "llama_index" and parts[1] in ("llms", "embeddings"):
        return parts[2].replace("_", "-")
    return ""


def llm_attributes(model_dict: Any, instance_provider: str | None) -> dict[str, Any]:
    """``mlflow.llm.model`` / ``mlflow.llm.provider`` from an event's ``model_dict``."""
    attrs: dict[str, Any] = {}
    if isinstance(model_dict, dict):
        model = model_dict.get("model") or model_dict.get("model_name")
        if isinstance(model, str) and model:
            attrs[MODEL] = model
    if instance_provider:
        attrs[PROVIDER] = instance_provider
    return attrs


def usage(response: Any, model: str | None, provider_name: str) -> dict[str, Any]:
    """Token usage and cost of a ``ChatResponse`` / ``CompletionResponse``.

    Read from the raw provider response (``raw.usage``, OpenAI or Anthropic shapes), else
    from ``additional_kwargs`` (``prompt_tokens`` / ``completion_tokens``, as the OpenAI
    LLM class reports them).
    """
    raw = getattr(response, "raw", None)
    answered = field(raw, "model")
    if isinstance(answered, str) and answered:
        model = answered
    found = field(raw, "usage") or field(raw, "usage_metadata")
    extra = getattr(response, "additional_kwargs", None) or {}
    inp = out = 0
    total: int | None = None
    cached = 0
    if found is not None:
        inp = positive_int(field(found, "prompt_tokens")) or positive_int(
            field(found, "input_tokens")
        )
        out = positive_int(field(found, "completion_tokens")) or positive_int(
            field(found, "output_tokens")
        )
        total = positive_int(field(found, "total_tokens")) or None
        details = field(found, "prompt_tokens_details")
        cached = min(positive_int(field(details, "cached_tokens")), inp)
    if not inp and not out and isinstance(extra, dict):
        inp = positive_int(extra.get("prompt_tokens"))
        out = positive_int(extra.get("completion_tokens"))
        total = positive_int(extra.get("total_tokens")) or None
    if not inp and not out:
        return {MODEL: model} if model else {}
    attrs = usage_attributes(model, provider_name, inp, out, total, cached)
    if model:
        attrs[MODEL] = model
    return attrs
