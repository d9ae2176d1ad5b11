"""Facts read from a span's MLflow attributes: token usage, cost, model; JSON text decoded.

Attribute values are often JSON text (``mlflow.chat.tokenUsage`` is ``'{"input_tokens": 3}'``).
The trace store's span ingest and the Parquet trace files derive the same columns from them,
with these functions.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

__all__ = ["decoded", "json_loads", "span_model", "span_usage"]

_LONG_NUMBER = re.compile(r"\d{19,}")


def json_loads(text: str | None) -> Any:
    """``text`` decoded as JSON (None for None); integers beyond 64 bits read back exactly."""
    if text is None:
        return None
    if _LONG_NUMBER.search(text):  # orjson reads integers beyond 64 bits as floats
        return json.loads(text)
    return orjson.loads(text)


def decoded(value: Any) -> Any:
    """An attribute value as the value it encodes: a string as JSON (None if it is not)."""
    if isinstance(value, str):
        try:
            return json_loads(value)
        except ValueError:
            return None
    return value


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value)


def span_usage(
    attributes: dict[str, Any],
) -> tuple[int | None, int | None, int | None, float | None]:
    """A span's input, output and total tokens and its cost, from MLflow's attributes.

    The total is ``total_tokens``, else input plus output when either is known.

    Example:
        >>> span_usage({"mlflow.chat.tokenUsage": '{"input_tokens": 3, "output_tokens": 4}'})
        (3, 4, 7, None)
    """
    usage = decoded(attributes.get("mlflow.chat.tokenUsage"))
    tokens_in = tokens_out = total = None
    if isinstance(usage, dict):
        tokens_in, tokens_out = _int(usage.get("input_tokens")), _int(usage.get("output_tokens"))
        total = _int(usage.get("total_tokens"))
        if total is None and (tokens_in is not None or tokens_out is not None):
            total = (tokens_in or 0) + (tokens_out or 0)
    cost_value = decoded(attributes.get("mlflow.llm.cost"))
    cost = None
    if isinstance(cost_value, dict):
        cost_total = cost_value.get("total_cost")
        if isinstance(cost_total, (int, float)) and not isinstance(cost_total, bool):
            cost = float(cost_total)
    return tokens_in, tokens_out, total, cost


def span_model(attributes: dict[str, Any]) -> str | None:
    """The model a span called (``mlflow.llm.model`` or the GenAI conventions), if any."""
    for key in ("mlflow.llm.model", "gen_ai.response.model", "gen_ai.request.model"):
        value = attributes.get(key)
        if isinstance(value, str) and value:
            return value
    return None
