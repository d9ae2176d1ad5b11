"""Management records as the engines' configuration."""

from __future__ import annotations

import json

import pytest

from ardea.entities.gateway import GatewayBudgetPolicy, GatewayGuardrail
from ardea.gateway.config import RateLimit
from ardea.gateway.limits.guardrails import PatternCheck, ScorerCheck
from ardea.gateway.limits.records import (
    budget_policy_of,
    guardrail_of,
    pii_check_of,
    rate_limits_of,
)


def test_a_stored_budget_maps_field_for_field() -> None:
    stored = GatewayBudgetPolicy("bp-1", "USD", 5.0, "DAYS", 1, "USER", None, "REJECT", 1, 1)
    policy = budget_policy_of(stored, "team-a")
    assert (policy.budget_policy_id, policy.budget_amount, policy.workspace) == (
        "bp-1",
        5.0,
        "team-a",
    )
    assert (policy.target_scope, policy.target_value, policy.budget_action) == (
        "USER",
        None,
        "REJECT",
    )


def _guardrail(scorer_id: str) -> GatewayGuardrail:
    return GatewayGuardrail("gr-1", "g", scorer_id, None, "BEFORE", "VALIDATION", None, 1, 1)


def test_pii_ids_and_judges_become_checks_and_code_is_refused() -> None:
    assert pii_check_of("sc-123") is None
    pii = guardrail_of(_guardrail("ardea:pii:email, ipv4"), lambda _id, _v: "")
    assert pii.check == PatternCheck(pii=("email", "ipv4"))
    judge = {
        "name": "polite",
        "instructions_judge_pydantic_data": {
            "instructions": "Is {{ outputs }} polite?",
            "model": "openai:/gpt-4.1-mini",
        },
    }
    made = guardrail_of(_guardrail("sc-1"), lambda _id, _v: json.dumps(judge))
    assert isinstance(made.check, ScorerCheck)
    code = json.dumps({"name": "mine", "call_source": "return 1"})
    with pytest.raises(ValueError, match="custom @scorer code"):
        guardrail_of(_guardrail("sc-2"), lambda _id, _v: code)
    with pytest.raises(ValueError, match="names no PII detector"):
        pii_check_of("ardea:pii:")


def test_the_limits_tag() -> None:
    assert rate_limits_of('[{"scope": "key", "tokens_per_minute": 9}]') == (
        RateLimit("key", None, 9),
    )
    with pytest.raises(ValueError, match=r"ardea.limits\[0\]: unknown field\(s\) rpm"):
        rate_limits_of('[{"scope": "key", "rpm": 9}]')
