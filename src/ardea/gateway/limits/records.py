"""The management store's records as the limit engines' configuration.

- :func:`budget_policy_of`: a stored ``GatewayBudgetPolicy`` (MLflow's fields) as a
  :class:`~ardea.gateway.limits.budgets.BudgetPolicy` of its workspace;
- :func:`guardrail_of`: a stored ``GatewayGuardrail`` as a
  :class:`~ardea.gateway.limits.guardrails.Guardrail`. Its ``scorer_id`` names either a
  registered judge scorer (loaded with ``scorer_from_json`` and wrapped in a
  :class:`~ardea.gateway.limits.guardrails.ScorerCheck`; code scorers are refused), or one
  of Ardea's built-in PII checks: ``ardea:pii:<detector>[,<detector>...]`` with detectors of
  :data:`~ardea.gateway.limits.guardrails.PII_PATTERNS` (``ardea:pii:email,credit_card``),
  or ``ardea:patterns``: the check is the guardrail's own ``config`` (``{"patterns": {name:
  RE2 expression}, "pii": [detector]}``, see :mod:`~ardea.gateway.limits.patterns`);
- :func:`rate_limits_of`: an endpoint's ``ardea.limits`` tag (a JSON list of
  ``{scope, requests_per_minute, tokens_per_minute}``) as
  :class:`~ardea.gateway.config.RateLimit` values.

Every function raises :class:`ValueError` with a message fit for a 400 on a bad record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ardea.entities.gateway import GatewayBudgetPolicy, GatewayGuardrail
from ardea.gateway.config import RateLimit
from ardea.gateway.limits.budgets import BudgetPolicy
from ardea.gateway.limits.guardrails import PII_PATTERNS, Guardrail, PatternCheck, ScorerCheck
from ardea.gateway.limits.patterns import PATTERNS_SCORER_ID, pattern_config

__all__ = [
    "LIMITS_TAG",
    "PII_SCORER_PREFIX",
    "budget_policy_of",
    "guardrail_of",
    "parse_rate_limits",
    "pii_check_of",
    "rate_limits_of",
]

LIMITS_TAG = "ardea.limits"
"""The endpoint tag holding its rate limits (JSON), settable over MLflow's tag REST."""

PII_SCORER_PREFIX = "ardea:pii:"
"""A guardrail ``scorer_id`` with this prefix names built-in PII detectors, not a scorer."""

_SCOPES = ("key", "user", "endpoint", "workspace")
_FIELDS = {"scope", "requests_per_minute", "tokens_per_minute"}


def budget_policy_of(policy: GatewayBudgetPolicy, workspace: str) -> BudgetPolicy:
    """The engine's view of a stored budget policy of ``workspace``."""
    return BudgetPolicy(
        budget_policy_id=policy.budget_policy_id,
        budget_amount=float(policy.budget_amount),
        duration_unit=policy.duration_unit,
        duration_value=int(policy.duration_value),
        target_scope=policy.target_scope,
        target_value=policy.target_value,
        budget_action=policy.budget_action,
        workspace=workspace,
        budget_unit=policy.budget_unit or "USD",
    )


def pii_check_of(scorer_id: str) -> PatternCheck | None:
    """The PII check an ``ardea:pii:...`` scorer id names, None for a real scorer id.

    Raises:
        ValueError: No detector, or an unknown one.
    """
    if not scorer_id.startswith(PII_SCORER_PREFIX):
        return None
    names = tuple(n.strip() for n in scorer_id[len(PII_SCORER_PREFIX) :].split(",") if n.strip())
    if not names:
        raise ValueError(
            f"scorer_id {scorer_id!r} names no PII detector: use "
            f"{PII_SCORER_PREFIX}<detector>[,<detector>...] with detectors "
            f"{', '.join(sorted(PII_PATTERNS))}"
        )
    unknown = [n for n in names if n not in PII_PATTERNS]
    if unknown:
        raise ValueError(
            f"unknown PII detector(s) {', '.join(unknown)} in scorer_id {scorer_id!r}; known: "
            f"{', '.join(sorted(PII_PATTERNS))}"
        )
    return PatternCheck(pii=names)


def guardrail_of(
    guardrail: GatewayGuardrail, scorer_json: Callable[[str, int | None], str]
) -> Guardrail:
    """The engine's view of a stored guardrail.

    Args:
        guardrail: The record.
        scorer_json: The serialized scorer of ``(scorer_id, scorer_version)`` (a store read;
            not called for ``ardea:pii:`` and ``ardea:patterns`` ids).

    Raises:
        ValueError: An unknown PII detector, or a scorer that is not a judge.
    """
    from ardea.evaluation.scorers.serialize import scorer_from_json

    check: PatternCheck | ScorerCheck | None = pii_check_of(guardrail.scorer_id)
    if guardrail.scorer_id == PATTERNS_SCORER_ID:
        patterns, pii = pattern_config(guardrail.config, PII_PATTERNS)
        check = PatternCheck(patterns, tuple(pii))
    elif check is None:
        scorer = scorer_from_json(scorer_json(guardrail.scorer_id, guardrail.scorer_version))
        check = ScorerCheck(scorer)
    return Guardrail(
        guardrail_id=guardrail.guardrail_id,
        name=guardrail.name,
        stage=guardrail.stage,  # type: ignore[arg-type]
        action=guardrail.action,  # type: ignore[arg-type]
        check=check,
        action_endpoint_id=guardrail.action_endpoint_id,
    )


def parse_rate_limits(value: Any, where: str = LIMITS_TAG) -> tuple[RateLimit, ...]:
    """Rate limits from a decoded JSON list (the tag's, or a request field's).

    Raises:
        ValueError: Not a list of ``{scope, requests_per_minute?, tokens_per_minute?}``
            objects with a known scope and positive integer limits.
    """
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a JSON list of rate limits")
    out = []
    for i, item in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise ValueError(f"{at}: expected an object with 'scope' and a limit")
        extra = set(item) - _FIELDS
        if extra:
            raise ValueError(f"{at}: unknown field(s) {', '.join(sorted(extra))}")
        scope = item.get("scope")
        if scope not in _SCOPES:
            raise ValueError(f"{at}.scope: expected one of {', '.join(_SCOPES)}")
        limits: dict[str, int | None] = {}
        for name in ("requests_per_minute", "tokens_per_minute"):
            number = item.get(name)
            if number is not None and (
                isinstance(number, bool) or not isinstance(number, int) or number < 1
            ):
                raise ValueError(f"{at}.{name}: expected a positive integer")
            limits[name] = number
        if limits["requests_per_minute"] is None and limits["tokens_per_minute"] is None:
            raise ValueError(f"{at}: set requests_per_minute and/or tokens_per_minute")
        out.append(RateLimit(scope, limits["requests_per_minute"], limits["tokens_per_minute"]))
    return tuple(out)


def rate_limits_of(tag: str) -> tuple[RateLimit, ...]:
    """The rate limits of an endpoint's ``ardea.limits`` tag value.

    Raises:
        ValueError: Not JSON, or not a valid list (see :func:`parse_rate_limits`).
    """
    try:
        value = json.loads(tag)
    except ValueError as exc:
        raise ValueError(f"{LIMITS_TAG}: not valid JSON: {exc}") from None
    return parse_rate_limits(value)
