"""Pattern guardrails' expressions: RE2 (linear time), size caps, and the stored config."""

from __future__ import annotations

import pytest

from ardea.gateway.limits.guardrails import (
    PII_PATTERNS,
    Guardrail,
    PatternCheck,
    run_guardrails,
)
from ardea.gateway.limits.patterns import (
    MAX_PATTERN_CHARS,
    MAX_PATTERNS,
    compile_pattern,
    pattern_config,
)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        (r"(a)\1", "invalid escape"),  # a backreference
        (r"secret(?=!)", "missing argument to repetition operator|invalid perl operator"),
        ("(", r"missing \)"),
        ("a" * (MAX_PATTERN_CHARS + 1), f"longer than {MAX_PATTERN_CHARS}"),
        (r"\pL{1000}", "pattern too large"),  # over the memory budget once compiled
        ("", "non-empty"),
    ],
)
def test_unsafe_or_bad_expressions_are_refused_with_the_reason(
    expression: str, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        compile_pattern(expression)


def test_a_backtracking_bomb_runs_in_linear_time() -> None:
    # Python's re takes exponential time on this; RE2 answers at once.
    check = PatternCheck(patterns={"bomb": r"(a+)+$"})
    g = Guardrail("gr-1", "bomb", "BEFORE", "VALIDATION", check)
    body = {"messages": [{"role": "user", "content": "a" * 60 + "!"}]}
    assert run_guardrails([g], "BEFORE", body).refusal is None


def test_a_pattern_redacts_with_its_name() -> None:
    check = PatternCheck(patterns={"ticket": r"TCK-\d+"})
    g = Guardrail("gr-2", "tickets", "BEFORE", "SANITIZATION", check)
    body = {"messages": [{"role": "user", "content": "see TCK-42 and TCK-7"}]}
    out = run_guardrails([g], "BEFORE", body)
    assert out.payload["messages"][0]["content"] == "see [REDACTED:ticket] and [REDACTED:ticket]"


def test_config_is_validated_field_by_field() -> None:
    assert pattern_config({"patterns": {"t": "T-[0-9]+"}, "pii": ["email"]}, PII_PATTERNS) == (
        {"t": "T-[0-9]+"},
        ["email"],
    )
    bad = [
        ([], "expected an object"),
        ({"regex": {}}, "unknown field"),
        ({}, "give 'patterns'"),
        ({"pii": ["dna"]}, "unknown PII detector"),
        ({"pii": "email"}, "config.pii"),
        ({"patterns": ["x"]}, "config.patterns"),
        ({"patterns": {"bad name": "x"}}, "name 'bad name'"),
        ({"patterns": {"t": 3}}, "config.patterns.t"),
        ({"patterns": {"t": r"(a)\1"}}, "config.patterns.t: not a valid regular expression"),
        ({"patterns": {f"p{i}": "x" for i in range(MAX_PATTERNS + 1)}}, "at most"),
    ]
    for value, message in bad:
        with pytest.raises(ValueError, match=message):
            pattern_config(value, PII_PATTERNS)
