"""Caller-given regular expressions of pattern guardrails, compiled safely.

A pattern guardrail's expressions come from a config file or from an admin over REST, and
run on every request's text in the server. They are compiled with RE2 (``google-re2``),
whose matching time is linear in the text's length whatever the expression, so no pattern
can stall the server with catastrophic backtracking; an expression is refused when it is
longer than :data:`MAX_PATTERN_CHARS` characters, when its compiled program needs more than
:data:`MAX_PATTERN_MEMORY` bytes, or when it uses what RE2 does not support (backreferences,
lookaround). The built-in PII detectors (:data:`~ardea.gateway.limits.guardrails.PII_PATTERNS`)
are Ardea's own and stay on Python's ``re``.

:func:`pattern_config` validates a guardrail's stored ``config`` (``{"patterns": {name:
expression}, "pii": [detector, ...]}``), as ``guardrails/create`` and ``update-config``
receive it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "MAX_PATTERNS",
    "MAX_PATTERN_CHARS",
    "MAX_PATTERN_MEMORY",
    "PATTERNS_SCORER_ID",
    "compile_pattern",
    "pattern_config",
]

MAX_PATTERN_CHARS = 1000
"""The longest expression accepted."""
MAX_PATTERN_MEMORY = 1 << 20
"""RE2's memory budget for one compiled expression (bytes); a larger program is refused."""
MAX_PATTERNS = 50
"""The most expressions one guardrail may hold."""
PATTERNS_SCORER_ID = "ardea:patterns"
"""The ``scorer_id`` of a guardrail whose check is its ``config`` (patterns and PII)."""

_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_CONFIG_KEYS = frozenset({"patterns", "pii"})


@functools.lru_cache(maxsize=1024)
def compile_pattern(expression: str) -> Any:
    """``expression`` compiled with RE2 (cached; it has ``sub``, ``search``, ``finditer``).

    Raises:
        ValueError: Too long, too large once compiled, or not valid RE2 syntax (the message
            says which, for a 400).
    """
    import re2  # google-re2: loaded on the first pattern guardrail

    if not isinstance(expression, str) or not expression:
        raise ValueError("expected a non-empty regular expression")
    if len(expression) > MAX_PATTERN_CHARS:
        raise ValueError(f"longer than {MAX_PATTERN_CHARS} characters")
    options = re2.Options()
    options.max_mem = MAX_PATTERN_MEMORY
    options.log_errors = False
    try:
        return re2.compile(expression, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else str(exc)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ValueError(
            f"not a valid regular expression (RE2 syntax: no backreferences or lookaround; "
            f"at most {MAX_PATTERN_MEMORY // 1024} KiB compiled): {reason}"
        ) from None


def pattern_config(value: Any, pii_names: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The ``(patterns, pii)`` of a guardrail's ``config``, each expression compiled once.

    Args:
        value: The decoded ``config``: ``{"patterns"?: {name: expression}, "pii"?: [name]}``.
        pii_names: The known PII detectors.

    Raises:
        ValueError: Not an object of those two keys, neither given, a bad name, an unknown
            detector, or a bad expression (the message names the field, for a 400).
    """
    if not isinstance(value, dict):
        raise ValueError("config: expected an object with 'patterns' and/or 'pii'")
    extra = set(value) - _CONFIG_KEYS
    if extra:
        raise ValueError(f"config: unknown field(s) {', '.join(sorted(extra))}")
    patterns = value.get("patterns") or {}
    pii = value.get("pii") or []
    if not isinstance(patterns, dict):
        raise ValueError("config.patterns: expected an object of name -> regular expression")
    if not isinstance(pii, list) or not all(isinstance(n, str) for n in pii):
        raise ValueError("config.pii: expected a list of detector names")
    if not patterns and not pii:
        raise ValueError("config: give 'patterns' (name -> regular expression) and/or 'pii'")
    if len(patterns) > MAX_PATTERNS:
        raise ValueError(f"config.patterns: at most {MAX_PATTERNS} expressions")
    unknown = [n for n in pii if n not in pii_names]
    if unknown:
        raise ValueError(
            f"config.pii: unknown PII detector(s) {', '.join(unknown)}; known: "
            f"{', '.join(sorted(pii_names))}"
        )
    for name, expression in patterns.items():
        if not _NAME.fullmatch(name):
            raise ValueError(
                f"config.patterns: name {name!r} must be 1-64 letters, digits, '_', '.', '-'"
            )
        if not isinstance(expression, str):
            raise ValueError(f"config.patterns.{name}: expected a regular expression string")
        try:
            compile_pattern(expression)
        except ValueError as exc:
            raise ValueError(f"config.patterns.{name}: {exc}") from None
    return {str(k): str(v) for k, v in patterns.items()}, list(dict.fromkeys(pii))
