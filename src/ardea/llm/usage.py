"""Token usage and cost of one LLM call, as the span attributes MLflow reads.

``usage_attributes`` builds ``mlflow.chat.tokenUsage`` (and ``mlflow.llm.cost`` when the model
is priced, see :mod:`ardea.llm.pricing`); :func:`openai_usage` and :func:`anthropic_usage` read
the ``usage`` object (or dict) of those providers' responses.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "COST",
    "TOKEN_USAGE",
    "anthropic_usage",
    "field",
    "openai_usage",
    "positive_int",
    "usage_attributes",
]

TOKEN_USAGE = "mlflow.chat.tokenUsage"
"""Span attribute: ``{"input_tokens", "output_tokens", "total_tokens", ...}``."""
COST = "mlflow.llm.cost"
"""Span attribute: ``{"input_cost", "output_cost", "total_cost"}`` in US dollars."""


def field(obj: Any, name: str, default: Any = None) -> Any:
    """``obj.name`` or ``obj[name]`` (SDK objects and plain dicts alike), else ``default``."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def positive_int(value: Any) -> int:
    """``value`` when it is a positive int, else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def usage_attributes(
    model: str | None,
    provider: str | None,
    input_tokens: int,
    output_tokens: int,
    total_tokens: int | None = None,
    cached_input_tokens: int = 0,
    cache_write_input_tokens: int = 0,
) -> dict[str, Any]:
    """The token-usage and cost attributes of one call.

    Args:
        model: The model id (``None``: no cost).
        provider: ``openai``, ``anthropic``, ... (``None`` or empty: price the model under
            whichever provider's table knows it)
        input_tokens: The whole prompt, cache reads and writes included.
        output_tokens: Completion tokens.
        total_tokens: Reported total (defaults to input + output).
        cached_input_tokens: Part of ``input_tokens`` read from the cache.
        cache_write_input_tokens: Part of ``input_tokens`` written to the cache.

    Returns:
        ``{"mlflow.chat.tokenUsage": {...}}`` plus ``mlflow.llm.cost`` when the model is priced.
    """
    from ardea._core.errors import InvalidArgumentError
    from ardea.llm.pricing import compute_cost

    total = total_tokens if total_tokens is not None else input_tokens + output_tokens
    usage: dict[str, int] = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": total,
    }
    if cached_input_tokens:
        usage["cached_input_tokens"] = cached_input_tokens
    if cache_write_input_tokens:
        usage["cache_write_input_tokens"] = cache_write_input_tokens
    attrs: dict[str, Any] = {TOKEN_USAGE: usage}
    if model:
        try:
            cost = compute_cost(
                model,
                input_tokens,
                output_tokens,
                cached_input_tokens=cached_input_tokens,
                provider=provider or None,
                cache_write_input_tokens=cache_write_input_tokens,
            )
        except InvalidArgumentError:
            cost = None
        if cost is not None:
            attrs[COST] = cost
    return attrs


def openai_usage(usage: Any, model: str | None, provider: str = "openai") -> dict[str, Any]:
    """Token usage and cost attributes from an OpenAI Chat/Responses/Embeddings ``usage``.

    ``provider`` names the price table section for OpenAI-compatible APIs (``groq``,
    ``mistral``).
    """
    if usage is None:
        return {}
    inp = positive_int(field(usage, "prompt_tokens")) or positive_int(field(usage, "input_tokens"))
    out = positive_int(field(usage, "completion_tokens")) or positive_int(
        field(usage, "output_tokens")
    )
    total = field(usage, "total_tokens")
    details = field(usage, "prompt_tokens_details") or field(usage, "input_tokens_details")
    cached = min(positive_int(field(details, "cached_tokens")), inp)
    return usage_attributes(
        model, provider, inp, out, total if isinstance(total, int) else None, cached
    )


def anthropic_usage(usage: Any, model: str | None) -> dict[str, Any]:
    """Token usage and cost attributes from an Anthropic ``usage`` (cache reads and writes)."""
    if usage is None:
        return {}
    uncached = positive_int(field(usage, "input_tokens"))
    read = positive_int(field(usage, "cache_read_input_tokens"))
    written = positive_int(field(usage, "cache_creation_input_tokens"))
    out = positive_int(field(usage, "output_tokens"))
    return usage_attributes(model, "anthropic", uncached + read + written, out, None, read, written)
