"""Map OpenTelemetry GenAI and OpenInference span attributes onto Ardea's normalized keys.

Spans from any OpenTelemetry instrumentation become first-class Ardea spans: the mapping sets
``mlflow.spanType``, ``mlflow.spanInputs`` / ``mlflow.spanOutputs``, ``mlflow.chat.tokenUsage``
(``input_tokens``, ``output_tokens``, ``total_tokens``), ``mlflow.llm.model`` and
``mlflow.llm.provider`` (and ``mlflow.llm.cost`` when the price table knows the model). Keys
already present are never overwritten, and the original attributes are kept.

Sources: the OpenTelemetry GenAI semantic conventions (``gen_ai.*``, including the older
``gen_ai.prompt`` / ``gen_ai.completion`` attributes and ``gen_ai.*.message`` / ``gen_ai.choice``
events) and OpenInference (``openinference.span.kind``, ``llm.*``, ``input.value``, ...).

Every ingest path calls :func:`normalize_attributes`: the OTLP receiver (spans of any OTel SDK,
or of Ardea's SDK sent to a server) and Ardea's SDK exporting to an embedded store. Ardea's
SDK (like MLflow's) stores every attribute set through a span as JSON text, so string and
number attributes may arrive JSON-encoded (the model as ``"gpt-4o"`` with its quotes, a count
as the text ``12``): both forms are read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson

from ardea._core.errors import ArdeaError
from ardea.entities import SpanEvent

__all__ = ["GEN_AI_OPERATION_TYPES", "OPENINFERENCE_KINDS", "normalize_attributes"]

SPAN_TYPE = "mlflow.spanType"
INPUTS = "mlflow.spanInputs"
OUTPUTS = "mlflow.spanOutputs"
TOKEN_USAGE = "mlflow.chat.tokenUsage"
MODEL = "mlflow.llm.model"
PROVIDER = "mlflow.llm.provider"
COST = "mlflow.llm.cost"

GEN_AI_OPERATION_TYPES: dict[str, str] = {
    "chat": "CHAT_MODEL",
    "invoke_agent": "AGENT",
    "create_agent": "AGENT",
    "execute_tool": "TOOL",
    "embeddings": "EMBEDDING",
    "text_completion": "LLM",
    "generate_content": "LLM",
    "response": "LLM",
    "retrieval": "RETRIEVER",
    "rerank": "RERANKER",
}
"""``gen_ai.operation.name`` -> span type."""

OPENINFERENCE_KINDS: dict[str, str] = {
    "LLM": "LLM",
    "CHAIN": "CHAIN",
    "TOOL": "TOOL",
    "RETRIEVER": "RETRIEVER",
    "EMBEDDING": "EMBEDDING",
    "AGENT": "AGENT",
    "RERANKER": "RERANKER",
    "GUARDRAIL": "GUARDRAIL",
    "EVALUATOR": "EVALUATOR",
    "UNKNOWN": "UNKNOWN",
}
"""``openinference.span.kind`` -> span type."""

_INPUT_EVENTS = (
    "gen_ai.system.message",
    "gen_ai.user.message",
    "gen_ai.assistant.message",
    "gen_ai.tool.message",
)
_OUTPUT_EVENTS = ("gen_ai.choice",)


def normalize_attributes(attributes: dict[str, Any], events: Sequence[SpanEvent] = ()) -> None:
    """Add Ardea's normalized keys to ``attributes`` (in place) from GenAI/OpenInference ones.

    Args:
        attributes: Decoded span attributes; existing normalized keys win.
        events: The span's events (GenAI prompt/completion events supply inputs/outputs).
    """
    prefixes = ("gen_ai.", "llm.", "openinference.", "input.", "output.")
    if not any(k.startswith(prefixes) for k in attributes) and not any(
        e.name.startswith("gen_ai.") for e in events
    ):
        return
    _span_type(attributes)
    _io(attributes, events)
    _model(attributes)
    _tokens(attributes)
    _cost(attributes)


def _set(attributes: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and attributes.get(key) is None:
        attributes[key] = value


def _text(attributes: Mapping[str, Any], key: str) -> str | None:
    """A string attribute, plain or JSON-encoded (``'"gpt-4o"'`` as Ardea's SDK stores it)."""
    value = attributes.get(key)
    if not isinstance(value, str):
        return None
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        try:
            decoded = orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
        return decoded if isinstance(decoded, str) else value
    return value


def _span_type(attributes: dict[str, Any]) -> None:
    unknown = attributes.get(SPAN_TYPE) == "UNKNOWN"
    if unknown:  # the SDK's default: a convention that names the operation knows better
        del attributes[SPAN_TYPE]
    op = _text(attributes, "gen_ai.operation.name")
    if op:
        _set(attributes, SPAN_TYPE, GEN_AI_OPERATION_TYPES.get(op.lower()))
    kind = _text(attributes, "openinference.span.kind")
    if kind:
        _set(attributes, SPAN_TYPE, OPENINFERENCE_KINDS.get(kind.upper(), kind.upper()))
    if unknown:
        _set(attributes, SPAN_TYPE, "UNKNOWN")


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _io(attributes: dict[str, Any], events: Sequence[SpanEvent]) -> None:
    for key in ("gen_ai.input.messages", "gen_ai.prompt"):
        if key in attributes:
            _set(attributes, INPUTS, _maybe_json(attributes[key]))
    for key in ("gen_ai.output.messages", "gen_ai.completion"):
        if key in attributes:
            _set(attributes, OUTPUTS, _maybe_json(attributes[key]))
    if "input.value" in attributes:
        _set(attributes, INPUTS, _maybe_json(attributes["input.value"]))
    if "output.value" in attributes:
        _set(attributes, OUTPUTS, _maybe_json(attributes["output.value"]))
    if attributes.get(INPUTS) is None or attributes.get(OUTPUTS) is None:
        _io_from_events(attributes, events)


def _io_from_events(attributes: dict[str, Any], events: Sequence[SpanEvent]) -> None:
    inputs: list[Any] = []
    outputs: list[Any] = []
    for event in events:
        if event.name in _INPUT_EVENTS:
            message = dict(event.attributes)
            message.setdefault("role", event.name.split(".")[1])
            inputs.append(_event_body(message))
        elif event.name in _OUTPUT_EVENTS:
            outputs.append(_event_body(dict(event.attributes)))
        elif event.name == "gen_ai.content.prompt":
            _set(attributes, INPUTS, _maybe_json(event.attributes.get("gen_ai.prompt")))
        elif event.name == "gen_ai.content.completion":
            _set(attributes, OUTPUTS, _maybe_json(event.attributes.get("gen_ai.completion")))
    if inputs:
        _set(attributes, INPUTS, {"messages": inputs})
    if outputs:
        _set(attributes, OUTPUTS, {"choices": outputs})


def _event_body(attrs: dict[str, Any]) -> Any:
    attrs.pop("gen_ai.system", None)
    for key in ("content", "message"):
        if key in attrs:
            attrs[key] = _maybe_json(attrs[key])
    return attrs


def _model(attributes: dict[str, Any]) -> None:
    for key in ("gen_ai.response.model", "gen_ai.request.model", "llm.model_name"):
        value = _text(attributes, key)
        if value:
            _set(attributes, MODEL, value)
            break
    for key in ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"):
        value = _text(attributes, key)
        if value:
            _set(attributes, PROVIDER, value)
            break


def _int(attributes: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = attributes.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            return int(value)
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def _tokens(attributes: dict[str, Any]) -> None:
    if attributes.get(TOKEN_USAGE) is not None:
        return
    inp = _int(attributes, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
    out = _int(attributes, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
    total = _int(attributes, "gen_ai.usage.total_tokens")
    if inp is None and out is None:
        inp = _int(attributes, "llm.token_count.prompt")
        out = _int(attributes, "llm.token_count.completion")
        total = _int(attributes, "llm.token_count.total")
    if inp is None and out is None and total is None:
        return
    usage = {
        "input_tokens": inp or 0,
        "output_tokens": out or 0,
        "total_tokens": total if total is not None else (inp or 0) + (out or 0),
    }
    cached = _int(
        attributes,
        "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.cache_read_input_tokens",
        "llm.token_count.prompt_details.cache_read",
    )
    if cached:
        usage["cache_read_input_tokens"] = cached
    attributes[TOKEN_USAGE] = usage


@functools.cache
def _compute_cost() -> Callable[..., Any] | None:
    try:
        from ardea.llm.pricing import compute_cost
    except ImportError:  # pragma: no cover - the price table ships with Ardea
        return None
    return compute_cost


def _cost(attributes: dict[str, Any]) -> None:
    usage = attributes.get(TOKEN_USAGE)
    model = attributes.get(MODEL)
    if attributes.get(COST) is not None or not isinstance(usage, dict) or not model:
        return
    fn = _compute_cost()
    if fn is None:
        return
    try:
        cost = fn(
            model,
            usage.get("input_tokens", 0),
            usage.get("output_tokens", 0),
            cached_input_tokens=usage.get("cache_read_input_tokens", 0),
            provider=attributes.get(PROVIDER),
        )
    except ArdeaError:
        return
    if cost is not None:
        attributes[COST] = cost
