"""RestGatewayStore against the real server app: every resource round-trips through MLflow's
wire into the same entities the SQL store returns; secret values and rotation are refused."""

from __future__ import annotations

import pytest

from ardea._core.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    NotImplementedFeatureError,
)
from ardea.entities.gateway import ModelConfig
from ardea.store.backend import Backend

KEY = "sk-rest-0123456789abcdef"


def test_round_trip(rest_backend: Backend) -> None:
    g = rest_backend.gateway
    secret = g.create_secret("k", {"api_key": KEY}, "openai", {"api_base": "https://x.example.com"})
    assert secret.masked_values == {"api_key": "sk-...cdef"}
    assert g.get_secret(secret_name="k") == secret
    with pytest.raises(AlreadyExistsError):
        g.create_secret("k", {"api_key": KEY})
    with pytest.raises(NotImplementedFeatureError):
        g.secret_values(secret.secret_id)
    with pytest.raises(NotImplementedFeatureError):
        g.rotate_kek()
    one = g.create_model_definition("one", "openai", "gpt-4.1-mini", secret.secret_id)
    two = g.create_model_definition("two", "openai", "gpt-4.1", secret.secret_id)
    assert g.get_model_definition(one.model_definition_id) == one
    endpoint = g.create_endpoint(
        "chat",
        [
            ModelConfig(one.model_definition_id, "PRIMARY", 2.0),
            ModelConfig(two.model_definition_id, "FALLBACK", 1.0, 0),
        ],
        fallback_strategy="SEQUENTIAL",
        fallback_max_attempts=2,
        usage_tracking=False,
    )
    assert endpoint == g.get_endpoint(name="chat")
    assert [e.endpoint_id for e in g.list_endpoints()] == [endpoint.endpoint_id]
    with pytest.raises(InvalidArgumentError):
        g.update_endpoint(endpoint.endpoint_id, options={"timeout_s": 3})
    g.set_endpoint_tag(endpoint.endpoint_id, "team", "a")
    assert g.get_endpoint(endpoint.endpoint_id).tags == {"team": "a"}
    g.delete_endpoint_tag(endpoint.endpoint_id, "team")
    mapping = g.attach_model(endpoint.endpoint_id, ModelConfig(two.model_definition_id, weight=1.0))
    assert mapping.linkage_type == "PRIMARY"
    g.detach_model(endpoint.endpoint_id, two.model_definition_id)
    binding = g.create_binding(endpoint.endpoint_id, "scorer", "sc-1")
    assert g.list_bindings(endpoint_id=endpoint.endpoint_id) == [binding]
    g.delete_binding(endpoint.endpoint_id, "scorer", "sc-1")
    with pytest.raises(FailedPreconditionError):
        g.delete_model_definition(one.model_definition_id)

    policy = g.create_budget_policy(10.0, "DAYS", 1, "USER", "REJECT", target_value="ann")
    assert g.get_budget_policy(policy.budget_policy_id) == policy
    assert g.update_budget_policy(policy.budget_policy_id, budget_amount=5.0).budget_amount == 5.0
    assert [p.budget_policy_id for p in g.list_budget_policies()] == [policy.budget_policy_id]
    g.delete_budget_policy(policy.budget_policy_id)

    guard = g.create_guardrail("pii", "sc-1", "BEFORE", "SANITIZATION", scorer_version=1)
    assert g.get_guardrail(guard.guardrail_id) == guard
    config = g.add_guardrail_to_endpoint(endpoint.endpoint_id, guard.guardrail_id, 1)
    assert config.guardrail == guard
    moved = g.update_endpoint_guardrail(endpoint.endpoint_id, guard.guardrail_id, 4)
    assert moved.execution_order == 4
    assert [c.guardrail.name for c in g.list_endpoint_guardrails(endpoint.endpoint_id)] == ["pii"]
    g.remove_guardrail_from_endpoint(endpoint.endpoint_id, guard.guardrail_id)
    assert [x.name for x in g.list_guardrails()] == ["pii"]
    g.delete_guardrail(guard.guardrail_id)
    config = {"patterns": {"ticket": "TCK-[0-9]+"}}
    patterns = g.create_guardrail("p", "ardea:patterns", "BEFORE", "VALIDATION", config=config)
    assert g.get_guardrail(patterns.guardrail_id).config == config
    changed = g.set_guardrail_config(patterns.guardrail_id, {"pii": ["email"]})
    assert changed.config == {"pii": ["email"]}
    with pytest.raises(InvalidArgumentError):
        g.set_guardrail_config(patterns.guardrail_id, {"patterns": {"b": "(a)\\1"}})
    g.delete_guardrail(patterns.guardrail_id)

    g.delete_endpoint(endpoint.endpoint_id)
    g.delete_model_definition(one.model_definition_id)
    g.delete_secret(secret.secret_id)
    with pytest.raises(NotFoundError):
        g.get_secret(secret.secret_id)
