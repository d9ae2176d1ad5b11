"""Guardrails before and after the provider call: regex/PII checks and LLM-judge scorers.

A guardrail inspects the text of a request (``BEFORE``: every message content, or ``input`` /
``prompt``) or of a response (``AFTER``: every choice's message content). What it finds:

- :class:`PatternCheck`: named regular expressions (RE2, linear time:
  :mod:`ardea.gateway.limits.patterns`), and the built-in PII detectors of
  :data:`PII_PATTERNS` (``email``, ``phone``, ``credit_card`` -- Luhn-checked, ``us_ssn``,
  ``ipv4``). A match fails the check.
- :class:`ScorerCheck`: a judge scorer from :mod:`ardea.evaluation.scorers` (``make_judge``,
  the built-in judges), run with the text as ``outputs`` through ``run_scorer``. It fails when
  its feedback value is false, ``"no"`` (any case) or 0, as MLflow's guardrails read it. A
  scorer error fails closed (the request is blocked, the error recorded). Only judges run in
  the server process: a code scorer (``@scorer`` functions, registered code) is refused when
  the guardrail is built, since it would execute user code in the server.

Actions (MLflow's names): ``VALIDATION`` blocks (400, ``guardrail_blocked``; MLflow answers
``INVALID_PARAMETER_VALUE``), ``SANITIZATION`` redacts: pattern matches are replaced by
``[REDACTED:<name>]``; a failing judge's payload is handed to the ``rewrite`` callable the
request path passes, which has the guardrail's action endpoint rewrite it (MLflow's
sanitization: :mod:`ardea.gateway.limits.sanitize`); without an action endpoint, or when the
rewrite fails, the request is blocked (fails closed) and the decision says why.

On streams only ``BEFORE`` guardrails run (a streamed answer has left before it could be
checked); ``AFTER`` ones are recorded as ``skipped``. Every decision is recorded on the trace
as the ``ardea.gateway.guardrails`` attribute (a JSON list: id, name, stage, action, outcome,
rationale; never the matched text).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ardea.evaluation.scorers.base import Scorer
from ardea.evaluation.scorers.run import run_scorer
from ardea.gateway.limits.context import Decision

__all__ = [
    "PII_PATTERNS",
    "Guardrail",
    "GuardrailDecision",
    "GuardrailOutcome",
    "PatternCheck",
    "Rewrite",
    "ScorerCheck",
    "run_guardrails",
]

Stage = Literal["BEFORE", "AFTER"]
Action = Literal["VALIDATION", "SANITIZATION"]
Rewrite = Callable[["Guardrail", dict[str, Any], str], dict[str, Any]]
"""How a failed payload is sanitized: ``(guardrail, payload, rationale) -> payload``."""

PII_PATTERNS: Mapping[str, str] = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    "phone": r"(?<![\w+])\+?\d{1,3}[\s.-]?\(?\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?!\w)",
    "credit_card": r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)",
    "us_ssn": r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)",
    "ipv4": r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])",
}
"""The built-in PII detectors a :class:`PatternCheck` may name in ``pii``."""


def _luhn(digits: str) -> bool:
    nums = [int(d) for d in digits if d.isdigit()]
    total = 0
    for i, n in enumerate(reversed(nums)):
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class PatternCheck:
    """Regular expressions and built-in PII detectors.

    Attributes:
        patterns: Name -> regular expression (Python syntax).
        pii: Names of :data:`PII_PATTERNS` to apply too.
    """

    patterns: Mapping[str, str] = field(default_factory=dict)
    pii: tuple[str, ...] = ()

    def compiled(self) -> list[tuple[str, Any]]:
        """The named patterns, compiled (``patterns`` with RE2: :mod:`.patterns`).

        Raises:
            ValueError: An unknown PII name or an invalid expression.
        """
        from ardea.gateway.limits.patterns import compile_pattern

        out: list[tuple[str, Any]] = []
        for name in self.pii:
            if name not in PII_PATTERNS:
                raise ValueError(f"unknown PII detector {name!r}; known: {sorted(PII_PATTERNS)}")
            out.append((name, re.compile(PII_PATTERNS[name])))
        for name, expr in self.patterns.items():
            try:
                out.append((name, compile_pattern(expr)))
            except ValueError as exc:
                raise ValueError(f"pattern {name!r}: {exc}") from None
        return out


@dataclass(frozen=True, slots=True)
class ScorerCheck:
    """A judge scorer (never a code scorer: see the module's docstring).

    Raises:
        ValueError: ``scorer`` is not a judge.
    """

    scorer: Scorer

    def __post_init__(self) -> None:
        if not self.scorer.is_judge:
            raise ValueError(
                f"scorer {self.scorer.name!r} is a code scorer: guardrails run only LLM judges "
                "in the server (use a PatternCheck for regular expressions)"
            )


@dataclass(frozen=True, slots=True)
class Guardrail:
    """One guardrail of an endpoint (MLflow's ``GatewayGuardrail`` fields).

    Attributes:
        guardrail_id: ``gr-...``.
        name: Shown in the caller's error and on the trace.
        stage: ``BEFORE`` or ``AFTER`` the provider call.
        action: ``VALIDATION`` (block) or ``SANITIZATION`` (redact).
        check: What it looks for.
        action_endpoint_id: The endpoint that rewrites a payload a SANITIZATION judge fails.
    """

    guardrail_id: str
    name: str
    stage: Stage
    action: Action
    check: PatternCheck | ScorerCheck
    action_endpoint_id: str | None = None


@dataclass(frozen=True, slots=True)
class GuardrailDecision:
    """What one guardrail decided about one payload.

    Attributes:
        guardrail_id: The guardrail.
        name: Its name.
        stage: ``BEFORE`` or ``AFTER``.
        action: Its action.
        outcome: ``passed``, ``blocked``, ``redacted``, ``skipped`` (AFTER on a stream).
        rationale: Why (the detectors that matched, the judge's rationale, an error).
    """

    guardrail_id: str
    name: str
    stage: str
    action: str
    outcome: str
    rationale: str = ""

    def to_dict(self) -> dict[str, str]:
        """The decision as recorded on the trace."""
        return {
            "guardrail_id": self.guardrail_id,
            "name": self.name,
            "stage": self.stage,
            "action": self.action,
            "outcome": self.outcome,
            "rationale": self.rationale,
        }


@dataclass(frozen=True, slots=True)
class GuardrailOutcome:
    """The result of one stage's guardrails.

    Attributes:
        payload: The payload to go on with (redacted where a guardrail sanitized it).
        decisions: Every guardrail's decision, in execution order.
        refusal: The refusal when a guardrail blocked, else None.
    """

    payload: dict[str, Any]
    decisions: tuple[GuardrailDecision, ...]
    refusal: Decision | None

    @property
    def attributes(self) -> dict[str, object]:
        """The trace attribute recording every decision."""
        return {"ardea.gateway.guardrails": json.dumps([d.to_dict() for d in self.decisions])}


def _text_slots(payload: dict[str, Any], stage: str) -> list[tuple[Any, Any]]:
    """(container, key) of every text the stage inspects, so they can be rewritten."""
    slots: list[tuple[Any, Any]] = []

    def content(holder: dict[str, Any]) -> None:
        value = holder.get("content")
        if isinstance(value, str):
            slots.append((holder, "content"))
        elif isinstance(value, list):
            for part in value:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    slots.append((part, "text"))

    if stage == "AFTER":
        for choice in payload.get("choices") or []:
            if isinstance(choice, dict) and isinstance(choice.get("message"), dict):
                content(choice["message"])
        return slots
    for message in payload.get("messages") or []:
        if isinstance(message, dict):
            content(message)
    for name in ("input", "prompt"):
        value = payload.get(name)
        if isinstance(value, str):
            slots.append((payload, name))
        elif isinstance(value, list):
            slots.extend((value, i) for i, v in enumerate(value) if isinstance(v, str))
    return slots


def _passing(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() == "yes"
    return bool(value)


def _apply_patterns(
    check: PatternCheck, slots: list[tuple[Any, Any]], redact: bool
) -> tuple[list[str], int]:
    found: list[str] = []
    count = 0
    compiled = check.compiled()
    for holder, key in slots:
        text: str = holder[key]
        for name, pattern in compiled:

            def sub(match: Any, name: str = name) -> str:
                nonlocal count
                if name == "credit_card" and not _luhn(match.group(0)):
                    return str(match.group(0))
                count += 1
                if name not in found:
                    found.append(name)
                return f"[REDACTED:{name}]"

            text = pattern.sub(sub, text)
        if redact:
            holder[key] = text
    return found, count


def run_guardrails(
    guardrails: Sequence[Guardrail],
    stage: Stage,
    payload: Mapping[str, Any],
    *,
    stream: bool = False,
    rewrite: Rewrite | None = None,
) -> GuardrailOutcome:
    """Run the ``stage`` guardrails, in order, over ``payload`` (never modified in place).

    Args:
        guardrails: The endpoint's guardrails in execution order (both stages).
        stage: Which ones run now.
        payload: The request body (BEFORE) or the response body (AFTER), OpenAI's chat shape.
        stream: The request is a stream: AFTER guardrails are skipped (and recorded so).
        rewrite: How a SANITIZATION judge guardrail rewrites a payload it failed, given the
            guardrail, the payload and the judge's rationale (the request path's call to the
            guardrail's action endpoint); None, or a guardrail without an action endpoint,
            blocks instead. An exception (a ``ValueError``, a ``GatewayError``) blocks too.
    """
    current: dict[str, Any] = copy.deepcopy(dict(payload))
    decisions: list[GuardrailDecision] = []
    for g in guardrails:
        if g.stage != stage:
            continue

        def decide(outcome: str, rationale: str = "", g: Guardrail = g) -> GuardrailDecision:
            decision = GuardrailDecision(
                g.guardrail_id, g.name, g.stage, g.action, outcome, rationale
            )
            decisions.append(decision)
            return decision

        if stream and stage == "AFTER":
            decide("skipped", "streamed responses are checked before the call only")
            continue
        slots = _text_slots(current, stage)
        if isinstance(g.check, PatternCheck):
            redact = g.action == "SANITIZATION"
            found, count = _apply_patterns(g.check, slots, redact)
            if not found:
                decide("passed")
                continue
            why = f"{count} match(es): {', '.join(found)}"
            if redact:
                decide("redacted", why)
                continue
            return _blocked(current, decisions, decide("blocked", why), stage)
        text = "\n".join(str(holder[key]) for holder, key in slots)
        feedbacks = run_scorer(g.check.scorer, outputs=text)
        errors = [f.error for f in feedbacks if f.error is not None]
        if errors:
            return _blocked(
                current, decisions, decide("blocked", f"scorer error: {errors[0]}"), stage
            )
        failing = [f for f in feedbacks if not _passing(f.value)]
        if not failing:
            decide("passed")
            continue
        why = "; ".join(f.rationale or str(f.value) for f in failing)
        if g.action == "SANITIZATION":
            if rewrite is None or not g.action_endpoint_id:
                why += " (no action endpoint to sanitize with)"
                return _blocked(current, decisions, decide("blocked", why), stage)
            try:
                current = rewrite(g, current, why)
            except Exception as exc:  # fails closed: the payload is not sent unsanitized
                why += f" (sanitization failed: {str(exc)[:300]})"
                return _blocked(current, decisions, decide("blocked", why), stage)
            decide("redacted", why)
            continue
        return _blocked(current, decisions, decide("blocked", why), stage)
    return GuardrailOutcome(current, tuple(decisions), None)


def _blocked(
    payload: dict[str, Any],
    decisions: list[GuardrailDecision],
    decision: GuardrailDecision,
    stage: str,
) -> GuardrailOutcome:
    what = "request" if stage == "BEFORE" else "response"
    refusal = Decision(
        allowed=False,
        status=400,
        message=f"Guardrail '{decision.name}' blocked the {what}: {decision.rationale}",
        code="guardrail_blocked",
    )
    return GuardrailOutcome(payload, tuple(decisions), refusal)
