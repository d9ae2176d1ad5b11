"""Input checks of the gateway store: each raises InvalidArgumentError naming the field.

Run before anything is written, so bad input stores nothing.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from ardea._core.errors import InvalidArgumentError
from ardea._core.net.guard import check_upstream_url
from ardea.entities.gateway import (
    BUDGET_ACTIONS,
    BUDGET_DURATION_UNITS,
    BUDGET_TARGET_SCOPES,
    GUARDRAIL_ACTIONS,
    GUARDRAIL_STAGES,
    LINKAGE_TYPES,
    ModelConfig,
    validate_endpoint_name,
)

__all__ = [
    "ENDPOINT_TYPES",
    "URL_KEYS",
    "check_auth_config",
    "check_choice",
    "check_endpoint_name",
    "check_experiment_id",
    "check_fallback",
    "check_id",
    "check_model_configs",
    "check_name",
    "check_options",
    "check_provider",
    "check_secret_value",
]

ENDPOINT_TYPES = ("llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings")
"""What an endpoint may serve (MLflow's names)."""

URL_KEYS = ("api_base", "base_url", "api_url", "endpoint", "azure_endpoint", "url", "host")
"""``auth_config`` keys holding a provider URL, checked by the SSRF guard."""

_PROVIDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SECRET_MAX_BYTES = 64 * 1024
_CONFIG_MAX_BYTES = 16 * 1024
_LIMIT_SCOPES = ("key", "user", "endpoint", "workspace")


def check_id(value: object, what: str) -> str:
    """A non-empty id of at most 64 characters."""
    if not isinstance(value, str) or not value or len(value) > 64 or "\x00" in value:
        raise InvalidArgumentError(f"Invalid {what} {str(value)[:80]!r}")
    return value


def check_name(value: object, field: str) -> str:
    """A non-empty name of at most 255 characters, without NUL."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(f"'{field}' must be a non-empty string")
    if len(value) > 255 or "\x00" in value:
        raise InvalidArgumentError(f"'{field}' must be at most 255 characters, without NUL")
    return value


def check_endpoint_name(value: object) -> str:
    """An endpoint name callers can put in a URL and in ``model``."""
    return validate_endpoint_name(check_name(value, "name"))


def check_provider(value: object, field: str = "provider") -> str:
    """A provider name (``openai``, ``amazon-bedrock``, ``vertex_ai``, ...)."""
    if not isinstance(value, str) or not _PROVIDER.fullmatch(value):
        raise InvalidArgumentError(
            f"'{field}' must be a provider name (letters, digits, '-', '_', '.'), "
            f"not {str(value)[:80]!r}"
        )
    return value


def check_choice(value: object, field: str, choices: Sequence[str]) -> str:
    """One of ``choices``."""
    if value not in choices:
        raise InvalidArgumentError(
            f"'{field}' must be one of {', '.join(choices)}, not {str(value)[:80]!r}"
        )
    return str(value)


def check_secret_value(value: object) -> dict[str, str]:
    """A non-empty map of credential names to string values (at most 64 KiB in all)."""
    if not isinstance(value, Mapping) or not value:
        raise InvalidArgumentError(
            '\'secret_value\' must be a non-empty map of strings, e.g. {"api_key": "..."}'
        )
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key or len(key) > 255:
            raise InvalidArgumentError("'secret_value' keys must be non-empty strings")
        if not isinstance(item, str):
            raise InvalidArgumentError(f"'secret_value.{key}' must be a string")
        out[key] = item
    if len(orjson.dumps(out)) > _SECRET_MAX_BYTES:
        raise InvalidArgumentError(f"'secret_value' is larger than {_SECRET_MAX_BYTES} bytes")
    return out


def _check_url(value: object, field: str) -> None:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"'{field}' must be a URL string")
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InvalidArgumentError(f"'{field}' must be an http(s) URL, not {value[:80]!r}")
    check_upstream_url(value)


def check_auth_config(value: object) -> dict[str, Any]:
    """Non-secret provider options (strings, numbers, booleans); URLs pass the SSRF guard."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidArgumentError("'auth_config' must be a map")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise InvalidArgumentError("'auth_config' keys must be non-empty strings")
        if item is not None and not isinstance(item, (str, int, float, bool)):
            raise InvalidArgumentError(f"'auth_config.{key}' must be a string, number or boolean")
        if key in URL_KEYS and item is not None:
            _check_url(item, f"auth_config.{key}")
        out[key] = item
    if len(orjson.dumps(out)) > _CONFIG_MAX_BYTES:
        raise InvalidArgumentError(f"'auth_config' is larger than {_CONFIG_MAX_BYTES} bytes")
    return out


def check_experiment_id(value: object) -> str | None:
    """None, or an experiment id (digits)."""
    if value is None or value == "":
        return None
    text = str(value)
    if not text.isdigit() or len(text) > 19:
        raise InvalidArgumentError(f"Invalid experiment_id {text[:80]!r}")
    return text


def _positive(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentError(f"'{field}' must be a number")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise InvalidArgumentError(f"'{field}' must be a positive number, not {value}")
    return number


def _count(value: object, field: str, low: int = 0, high: int = 1_000_000_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidArgumentError(f"'{field}' must be an integer from {low} to {high}")
    return value


def check_model_configs(configs: Sequence[ModelConfig], *, need_primary: bool) -> None:
    """Weights, linkage types and fallback orders; at least one PRIMARY when asked."""
    seen: set[tuple[str, str]] = set()
    for i, config in enumerate(configs):
        where = f"model_configs[{i}]"
        check_id(config.model_definition_id, f"{where}.model_definition_id")
        check_choice(config.linkage_type, f"{where}.linkage_type", LINKAGE_TYPES)
        _positive(config.weight, f"{where}.weight")
        if config.fallback_order is not None:
            _count(config.fallback_order, f"{where}.fallback_order", 0, 10_000)
        key = (config.model_definition_id, config.linkage_type)
        if key in seen:
            raise InvalidArgumentError(
                f"{where}: model definition {config.model_definition_id} is listed twice as "
                f"{config.linkage_type}"
            )
        seen.add(key)
    if need_primary and not any(c.linkage_type == "PRIMARY" for c in configs):
        raise InvalidArgumentError("An endpoint needs at least one PRIMARY model configuration")


def check_fallback(strategy: object, max_attempts: object) -> None:
    """``SEQUENTIAL`` (or nothing) and 1..100 attempts."""
    if strategy is not None:
        check_choice(strategy, "fallback_config.strategy", ("SEQUENTIAL",))
    if max_attempts is not None:
        _count(max_attempts, "fallback_config.max_attempts", 1, 100)


def check_options(value: object) -> dict[str, Any]:
    """Ardea's endpoint options, checked.

    Keys: ``timeout_s``, ``allow_model_override``, ``cache_ttl_s``, ``limits`` (a list of
    ``{scope, requests_per_minute, tokens_per_minute}``), ``retry`` (``{retries, backoff_s,
    max_backoff_s, on}``, as in the gateway's config file).
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidArgumentError("'options' must be a map")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "timeout_s":
            out[key] = _positive(item, "options.timeout_s")
        elif key == "cache_ttl_s":
            out[key] = None if item is None else _positive(item, "options.cache_ttl_s")
        elif key == "allow_model_override":
            if not isinstance(item, bool):
                raise InvalidArgumentError("'options.allow_model_override' must be a boolean")
            out[key] = item
        elif key == "limits":
            out[key] = _check_limits(item)
        elif key == "retry":
            out[key] = _check_retry(item)
        else:
            raise InvalidArgumentError(
                f"Unknown endpoint option {str(key)[:80]!r}: expected timeout_s, cache_ttl_s, "
                "allow_model_override, limits or retry"
            )
    return out


_RETRY_ON = ("error", "timeout", "rate_limit")


def _check_retry(value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidArgumentError("'options.retry' must be a map")
    unknown = set(value) - {"retries", "backoff_s", "max_backoff_s", "on"}
    if unknown:
        raise InvalidArgumentError(
            f"'options.retry' has unknown keys: {', '.join(sorted(unknown))}"
        )
    out: dict[str, Any] = {}
    if value.get("retries") is not None:
        out["retries"] = _count(value["retries"], "options.retry.retries", 0, 10)
    for key in ("backoff_s", "max_backoff_s"):
        if value.get(key) is not None:
            out[key] = _positive(value[key], f"options.retry.{key}")
    on = value.get("on")
    if on is not None:
        if not isinstance(on, list) or any(o not in _RETRY_ON for o in on):
            raise InvalidArgumentError(
                f"'options.retry.on' must be a list of {', '.join(_RETRY_ON)}"
            )
        out["on"] = list(on)
    return out


def _check_limits(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise InvalidArgumentError("'options.limits' must be a list")
    out = []
    for i, item in enumerate(value):
        where = f"options.limits[{i}]"
        if not isinstance(item, Mapping):
            raise InvalidArgumentError(f"'{where}' must be a map")
        unknown = set(item) - {"scope", "requests_per_minute", "tokens_per_minute"}
        if unknown:
            raise InvalidArgumentError(f"'{where}' has unknown keys: {', '.join(sorted(unknown))}")
        limit: dict[str, Any] = {"scope": check_choice(item.get("scope"), where, _LIMIT_SCOPES)}
        for key in ("requests_per_minute", "tokens_per_minute"):
            if item.get(key) is not None:
                limit[key] = _count(item[key], f"{where}.{key}", 1)
        if len(limit) == 1:
            raise InvalidArgumentError(
                f"'{where}' needs requests_per_minute and/or tokens_per_minute"
            )
        out.append(limit)
    return out


def check_budget(
    amount: object, unit: object, value: object, scope: object, action: object, budget_unit: object
) -> None:
    """The fields of a budget policy."""
    _positive(amount, "budget_amount")
    check_choice(unit, "duration.unit", BUDGET_DURATION_UNITS)
    _count(value, "duration.value", 1, 1_000_000)
    check_choice(scope, "target_scope", BUDGET_TARGET_SCOPES)
    check_choice(action, "budget_action", BUDGET_ACTIONS)
    check_choice(budget_unit, "budget_unit", ("USD",))


def check_target(scope: str, target_value: str | None) -> str | None:
    """ENDPOINT and USER scopes need a ``target_value``; the others drop it (as MLflow)."""
    if scope in ("ENDPOINT", "USER"):
        if not target_value:
            raise InvalidArgumentError(f"target_value is required when target_scope is {scope}.")
        return check_name(target_value, "target_value")
    return None


def check_guardrail(stage: object, action: object) -> None:
    """A guardrail's stage and action."""
    check_choice(stage, "stage", GUARDRAIL_STAGES)
    check_choice(action, "action", GUARDRAIL_ACTIONS)


def check_order(value: object) -> int | None:
    """None or a non-negative execution order."""
    return None if value is None else _count(value, "execution_order", 0, 1_000_000)
