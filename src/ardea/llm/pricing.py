"""The cost of an LLM call, from the price table shipped in ``prices.json``.

Prices are USD per million tokens. A model id is matched to a table entry only when the match
is certain: exactly, through an alias, or as an entry followed by version markers alone (a date
such as ``-2024-08-06`` or ``-20241022``, a ``-0613``/``-002`` snapshot number, ``-latest``, a
Bedrock ``-v2:0``). ``gpt-4o-mini`` is never priced as ``gpt-4o``, nor ``claude-opus-4-5`` as
``claude-opus-4``, nor a fine-tuned ``ft:...`` model as its base: an unknown model has no cost
rather than a wrong one. Provider prefixes (``openai/gpt-4o``, ``models/gemini-2.5-pro``,
Bedrock's ``us.anthropic.``, Vertex's ``@20241022``) are removed first.

Token counts follow OpenAI's and OpenTelemetry's convention: ``input_tokens`` counts the whole
prompt, cache reads and writes included (for Anthropic, add ``cache_read_input_tokens`` and
``cache_creation_input_tokens`` to its ``input_tokens``).
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = ["Price", "compute_cost", "model_price"]

_PROVIDER_ALIASES = {
    # Ardea/LangChain names and OpenTelemetry's gen_ai.provider.name / gen_ai.system values
    "openai": "openai",
    "azure": "openai",
    "azure_openai": "openai",
    "azure.ai.openai": "openai",
    "az.ai.openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "gemini": "google",
    "google_genai": "google",
    "vertex_ai": "google",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "mistral": "mistral",
    "mistralai": "mistral",
    "mistral_ai": "mistral",
    "groq": "groq",
}

# One or more version markers: each starts with "-"; dates, snapshot numbers, -latest, -v2:0.
_VERSION_TAIL = re.compile(r"(?:-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|latest|v\d+(?::\d+)?))+")
_BEDROCK_PREFIX = re.compile(r"^(?:(?:us|eu|apac|global)\.)?(?:anthropic|mistral|google)\.")


@dataclass(frozen=True, slots=True)
class Price:
    """Prices of one model, in USD per million tokens.

    Attributes:
        model: The price table entry (e.g. ``gpt-4o`` for ``gpt-4o-2024-08-06``).
        provider: ``openai``, ``anthropic``, ``google``, ``mistral`` or ``groq``.
        input: Uncached prompt tokens.
        output: Completion tokens.
        cached_input: Prompt tokens read from the cache; ``None`` when not known.
        cache_write: Prompt tokens written to the cache (Anthropic); ``None`` when not known.
        long_context_threshold: Prompts longer than this many tokens use ``long_context``.
        long_context: The prices of the long-prompt tier, if the model has one.
    """

    model: str
    provider: str
    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None
    long_context_threshold: int | None = None
    long_context: Price | None = None

    def for_prompt(self, input_tokens: int) -> Price:
        """The tier that applies to a prompt of ``input_tokens`` tokens."""
        if (
            self.long_context is not None
            and self.long_context_threshold is not None
            and input_tokens > self.long_context_threshold
        ):
            return self.long_context
        return self


def _price(model: str, provider: str, entry: dict[str, Any]) -> Price:
    long = entry.get("long_context")
    return Price(
        model=model,
        provider=provider,
        input=float(entry["input"]),
        output=float(entry["output"]),
        cached_input=_opt_float(entry.get("cached_input")),
        cache_write=_opt_float(entry.get("cache_write")),
        long_context_threshold=int(long["threshold"]) if long else None,
        long_context=_price(model, provider, long) if long else None,
    )


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


@functools.cache
def _table() -> dict[str, dict[str, Price]]:
    """``{provider: {model id or alias: Price}}``, read once from ``prices.json``."""
    raw = json.loads(resources.files("ardea.llm").joinpath("prices.json").read_text("utf-8"))
    table: dict[str, dict[str, Price]] = {}
    for provider, section in raw["providers"].items():
        models: dict[str, Price] = {}
        for name, entry in section["models"].items():
            price = _price(name, provider, entry)
            for key in (name, *entry.get("aliases", ())):
                models[key] = price
        table[provider] = models
    return table


@functools.cache
def _sorted_keys(provider: str) -> tuple[str, ...]:
    return tuple(sorted(_table()[provider], key=len, reverse=True))


def _normalize(model: str) -> str:
    name = model.strip().lower()
    name = name.rsplit("/", 1)[-1]  # openai/gpt-4o, models/gemini-2.5-pro
    name = _BEDROCK_PREFIX.sub("", name)  # us.anthropic.claude-...
    return name.replace("@", "-")  # vertex: claude-3-5-sonnet-v2@20241022


def _match(name: str, provider: str) -> Price | None:
    models = _table()[provider]
    if name in models:
        return models[name]
    for key in _sorted_keys(provider):  # longest first
        if name.startswith(key + "-") and _VERSION_TAIL.fullmatch(name[len(key) :]):
            return models[key]
    return None


def model_price(model: str, provider: str | None = None) -> Price | None:
    """The prices of ``model``, or ``None`` when the table has no sure match.

    Args:
        model: A model id as sent to or returned by the provider, with or without a date
            suffix or provider prefix (``gpt-4o-2024-08-06``, ``openai/gpt-4o``).
        provider: Restricts the lookup to one provider's prices (``openai``, ``azure``,
            ``anthropic``, ``google``/``gemini``/``vertex_ai``, ``mistral``, ``groq``); a
            provider the table does not know gives ``None``. ``None`` searches every provider.

    Returns:
        The matching :class:`Price`, or ``None``.
    """
    if not isinstance(model, str) or not model.strip():
        return None
    if provider is not None and not isinstance(provider, str):
        return None
    return _lookup(model, provider)


@functools.lru_cache(maxsize=1024)
def _lookup(model: str, provider: str | None) -> Price | None:
    name = _normalize(model)
    if provider is not None:
        known = _PROVIDER_ALIASES.get(provider.strip().lower())
        return _match(name, known) if known in _table() else None
    for section in _table():
        found = _match(name, section)
        if found is not None:
            return found
    return None


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(f"{name} must be a non-negative integer, got {value!r}")
    return value


def compute_cost(
    model: str,
    input_tokens: int,
    output_tokens: int,
    cached_input_tokens: int = 0,
    provider: str | None = None,
    cache_write_input_tokens: int = 0,
) -> dict[str, float] | None:
    """The USD cost of one call, as MLflow's ``mlflow.llm.cost`` attribute holds it.

    Args:
        model: The model id (see :func:`model_price`).
        input_tokens: All prompt tokens, cache reads and writes included.
        output_tokens: Completion tokens (reasoning tokens included).
        cached_input_tokens: The part of ``input_tokens`` read from the prompt cache.
        provider: Restricts the price lookup to one provider (see :func:`model_price`).
        cache_write_input_tokens: The part of ``input_tokens`` written to the prompt cache
            (Anthropic's ``cache_creation_input_tokens``), priced as 5-minute cache writes.

    Returns:
        ``{"input_cost", "output_cost", "total_cost"}`` in USD, or ``None`` when the model is
        not in the table, or when cached tokens are reported for a model whose cache prices
        are not known (no cost rather than a wrong one).

    Raises:
        InvalidArgumentError: A count is not a non-negative integer, or the cached parts add up
            to more than ``input_tokens``.
    """
    inp = _count("input_tokens", input_tokens)
    out = _count("output_tokens", output_tokens)
    cached = _count("cached_input_tokens", cached_input_tokens)
    written = _count("cache_write_input_tokens", cache_write_input_tokens)
    if cached + written > inp:
        raise InvalidArgumentError(
            f"cached_input_tokens ({cached}) + cache_write_input_tokens ({written}) exceed "
            f"input_tokens ({inp}): input_tokens must count the whole prompt"
        )
    price = model_price(model, provider)
    if price is None:
        return None
    tier = price.for_prompt(inp)
    if (cached and tier.cached_input is None) or (written and tier.cache_write is None):
        return None
    input_cost = (inp - cached - written) * tier.input
    input_cost += cached * (tier.cached_input or 0.0) + written * (tier.cache_write or 0.0)
    input_cost /= 1_000_000
    output_cost = out * tier.output / 1_000_000
    total = input_cost + output_cost
    if not math.isfinite(total):  # pragma: no cover - the table holds finite numbers
        return None
    return {
        "input_cost": round(input_cost, 12),
        "output_cost": round(output_cost, 12),
        "total_cost": round(total, 12),
    }
