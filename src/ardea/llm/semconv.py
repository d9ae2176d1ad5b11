"""Normalize span attributes on ingest: decode their JSON layer, map conventions to MLflow keys.

Every ingest path calls :func:`normalize_attributes`: the OTLP receiver (spans of any OTel SDK,
of the ``mlflow`` client, or of Ardea's SDK sent to a server) and Ardea's SDK exporting to an
embedded store. It does two things, in place:

1. :func:`decode_attribute_values`: the ``mlflow`` client and Ardea's SDK set every attribute
   as JSON text, so values arrive JSON-encoded once (the string ``hi`` as ``"hi"``, quotes
   included). ``mlflow.*`` values are decoded whatever they hold; any other string is
   decoded only when it holds a JSON string, object or array (MLflow 3.18's rule for OTLP:
   ``5`` and ``true`` stay strings, as a third-party client may well mean them).
2. The conventions of :mod:`ardea.llm.conventions` (OpenInference, OpenTelemetry GenAI,
   Traceloop, Vercel AI, ...) set ``mlflow.spanType``, ``mlflow.spanInputs`` /
   ``mlflow.spanOutputs``, ``mlflow.chat.tokenUsage`` (``input_tokens``, ``output_tokens``,
   ``total_tokens``, cache counts when given), ``mlflow.llm.model``, ``mlflow.llm.provider``,
   ``mlflow.chat.tools``, ``mlflow.message.format`` and ``mlflow.llm.cost`` (when the price
   table knows the model), and the span's session and user as ``session.id`` / ``user.id``
   (from ``gen_ai.conversation.id``, ``enduser.id``, traceloop's association properties, ...:
   :data:`~ardea.llm.conventions.SESSION_KEYS`, :data:`~ardea.llm.conventions.USER_KEYS`),
   which the trace store makes its trace's session and user. For each key the first
   convention with a value wins, in MLflow 3.18's order. Keys already present are never
   overwritten (a span type of ``UNKNOWN``, the SDKs' default, counts as absent), and the
   original attributes are kept.

Inputs and outputs are taken as the attribute holds them (after step 1): an attribute
``Hello`` gives the input ``Hello``, whose preview is the JSON text ``"Hello"`` (quotes
included), as in MLflow. Empty values (``""``, ``{}``, ``[]``, ``0``, ``false``) are
passed over. GenAI message events (``gen_ai.user.message``, ``gen_ai.choice``, Spring AI's
``gen_ai.content.prompt``, ...) supply inputs and outputs when no attribute does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson

from ardea._core.errors import ArdeaError
from ardea.entities import SpanEvent
from ardea.llm.conventions import (
    CONVENTIONS,
    GEN_AI_OPERATION_TYPES,
    OPENINFERENCE_KINDS,
    SESSION_KEYS,
    USER_KEYS,
    Convention,
    KeyPattern,
)

__all__ = [
    "GEN_AI_OPERATION_TYPES",
    "OPENINFERENCE_KINDS",
    "decode_attribute_values",
    "normalize_attributes",
]

SPAN_TYPE = "mlflow.spanType"
INPUTS = "mlflow.spanInputs"
OUTPUTS = "mlflow.spanOutputs"
TOKEN_USAGE = "mlflow.chat.tokenUsage"
MODEL = "mlflow.llm.model"
PROVIDER = "mlflow.llm.provider"
COST = "mlflow.llm.cost"
TOOLS = "mlflow.chat.tools"
MESSAGE_FORMAT = "mlflow.message.format"

_CONVENTION_PREFIXES = (
    "gen_ai.",
    "llm.",
    "openinference.",
    "input.",
    "output.",
    "traceloop.",
    "gcp.vertex.agent.",
    "ai.",
    "lmnr.",
    "langfuse.",
    "embedding.",
    "span.type",
    "enduser.",
)
_INPUT_EVENTS = (
    "gen_ai.system.message",
    "gen_ai.user.message",
    "gen_ai.assistant.message",
    "gen_ai.tool.message",
)
_OUTPUT_EVENTS = ("gen_ai.choice",)
_JSON_STARTS = frozenset('"{[-0123456789tfn')


_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _json_or_text(value: str) -> Any:
    """``value`` JSON-decoded, or as it is when it is no JSON."""
    if not value or value[0] not in _JSON_STARTS:
        return value
    if value[0] in "tfn":  # only a literal; no failed decode (an exception) for 'tr-...' ids
        return _LITERALS.get(value, value)
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


def _unwrapped(value: str) -> Any:
    """One JSON layer off ``value`` when it holds a JSON string, object or array."""
    if value.lstrip()[:1] not in ('"', "{", "["):
        return value
    try:
        decoded = orjson.loads(value)
    except orjson.JSONDecodeError:
        return value
    return decoded if isinstance(decoded, (str, dict, list)) else value


def decode_attribute_values(attributes: dict[str, Any]) -> bool:
    """Take the JSON layer off attribute values, in place (step 1 of the module docstring).

    Args:
        attributes: Span attributes as received (strings, numbers, lists, dicts).

    Returns:
        Whether a key follows one of the conventions (``gen_ai.``, ``llm.``, ...), found in
        the same pass.
    """
    conventional = False
    for key, value in attributes.items():
        if key.startswith("mlflow."):
            if isinstance(value, str) and value:
                attributes[key] = _json_or_text(value)
            continue
        if not conventional:
            conventional = key.startswith(_CONVENTION_PREFIXES)
        if isinstance(value, str) and value:
            attributes[key] = _unwrapped(value)
    return conventional


def normalize_attributes(attributes: dict[str, Any], events: Sequence[SpanEvent] = ()) -> None:
    """Decode ``attributes`` and add MLflow's keys from the conventions they follow (in place).

    Args:
        attributes: Span attributes as received; existing normalized keys win.
        events: The span's events (GenAI prompt/completion events supply inputs/outputs).
    """
    if not decode_attribute_values(attributes) and not (
        events and any(e.name.startswith("gen_ai.") for e in events)
    ):
        return
    _span_type(attributes)
    _io(attributes, events)
    _model(attributes)
    _first(attributes, PROVIDER, lambda c: c.providers, _text)
    _first(attributes, TOOLS, lambda c: c.tools, _present)
    _message_format(attributes)
    _tokens(attributes)
    _cost(attributes)
    _person(attributes, SESSION_KEYS)
    _person(attributes, USER_KEYS)


def _person(attributes: dict[str, Any], keys: Sequence[str]) -> None:
    """``keys[0]`` (``session.id`` / ``user.id``) from the first other key that is set."""
    if attributes.get(keys[0]) not in (None, ""):
        return
    for key in keys[1:]:
        value = attributes.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
            attributes[keys[0]] = str(value)
            return


def _present(value: Any) -> Any:
    """``value`` when it says something: not None, and not empty, zero or false."""
    try:
        return value if value else None
    except (TypeError, ValueError):  # e.g. objects without a truth value
        return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _lookup(attributes: Mapping[str, Any], keys: Sequence[KeyPattern]) -> Any:
    """The first present value among ``keys`` (patterns match whole keys)."""
    for key in keys:
        if isinstance(key, str):
            value = _present(attributes.get(key))
            if value is not None:
                return value
            continue
        for name, raw in attributes.items():
            if key.fullmatch(name):
                value = _present(raw)
                if value is not None:
                    return value
    return None


def _usable(convention: Convention, attributes: Mapping[str, Any]) -> bool:
    return convention.applies is None or convention.applies(attributes)


def _first(
    attributes: dict[str, Any],
    target: str,
    keys_of: Callable[[Convention], Sequence[KeyPattern]],
    accept: Callable[[Any], Any],
) -> None:
    if attributes.get(target) is not None:
        return
    for convention in CONVENTIONS:
        keys = keys_of(convention)
        if keys and _usable(convention, attributes):
            value = accept(_lookup(attributes, keys))
            if value is not None:
                attributes[target] = value
                return


def _span_type(attributes: dict[str, Any]) -> None:
    if attributes.get(SPAN_TYPE) not in (None, "", "UNKNOWN"):
        return
    for convention in CONVENTIONS:
        span_type = convention.span_type(attributes)
        if span_type:
            attributes[SPAN_TYPE] = span_type
            return


def _convention_value(
    attributes: Mapping[str, Any],
    read: Callable[[Convention], Callable[[Mapping[str, Any]], Any] | None],
    keys_of: Callable[[Convention], Sequence[KeyPattern]],
) -> Any:
    for convention in CONVENTIONS:
        if not _usable(convention, attributes):
            continue
        reader = read(convention)
        if reader is not None:
            value = reader(attributes)
            if value is not NotImplemented:
                if value is not None:
                    return value
                continue
        keys = keys_of(convention)
        value = _lookup(attributes, keys) if keys else None
        if value is not None:
            return value
    return None


def _io(attributes: dict[str, Any], events: Sequence[SpanEvent]) -> None:
    if attributes.get(INPUTS) is None:
        value = _convention_value(attributes, lambda c: c.inputs_of, lambda c: c.inputs)
        if value is not None:
            attributes[INPUTS] = value
    if attributes.get(OUTPUTS) is None:
        value = _convention_value(attributes, lambda c: c.outputs_of, lambda c: c.outputs)
        if value is not None:
            attributes[OUTPUTS] = value
    if attributes.get(INPUTS) is None or attributes.get(OUTPUTS) is None:
        _io_from_events(attributes, events)


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _set(attributes: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and attributes.get(key) is None:
        attributes[key] = value


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
    _first(attributes, MODEL, lambda c: c.models, _text)
    if attributes.get(MODEL) is not None:
        return
    for key in (INPUTS, OUTPUTS):  # a request or response object that names its model
        value = attributes.get(key)
        if isinstance(value, dict) and _text(value.get("model")):
            attributes[MODEL] = value["model"]
            return


def _message_format(attributes: dict[str, Any]) -> None:
    if attributes.get(MESSAGE_FORMAT) is not None:
        return
    for convention in CONVENTIONS:
        if convention.message_format is not None:
            found = convention.message_format(attributes)
            if found:
                attributes[MESSAGE_FORMAT] = found
                return


def _int(attributes: Mapping[str, Any], keys: Sequence[str]) -> int | None:
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
    for convention in CONVENTIONS:
        if not _usable(convention, attributes):
            continue
        inp = _int(attributes, convention.input_tokens)
        out = _int(attributes, convention.output_tokens)
        total = _int(attributes, convention.total_tokens)
        if inp is None and out is None and total is None:
            continue
        usage = {
            "input_tokens": inp or 0,
            "output_tokens": out or 0,
            "total_tokens": total if total is not None else (inp or 0) + (out or 0),
        }
        cache_read = _int(attributes, convention.cache_read_tokens)
        if cache_read is not None:
            usage["cache_read_input_tokens"] = cache_read
        cache_creation = _int(attributes, convention.cache_creation_tokens)
        if cache_creation is not None:
            usage["cache_creation_input_tokens"] = cache_creation
        attributes[TOKEN_USAGE] = usage
        return


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
