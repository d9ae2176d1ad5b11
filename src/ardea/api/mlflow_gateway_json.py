"""Gateway entities from MLflow's JSON (the answers of ``/mlflow/gateway/...``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ardea.entities.gateway import (
    EndpointBinding,
    EndpointGuardrailConfig,
    GatewayBudgetPolicy,
    GatewayEndpoint,
    GatewayGuardrail,
    GatewayModelDefinition,
    GatewaySecretInfo,
    ModelMapping,
)

__all__ = [
    "binding_from_json",
    "budget_from_json",
    "definition_from_json",
    "endpoint_from_json",
    "guardrail_config_from_json",
    "guardrail_from_json",
    "mapping_from_json",
    "secret_from_json",
]


def _int(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


def secret_from_json(d: Mapping[str, Any]) -> GatewaySecretInfo:
    """A ``GatewaySecretInfo``."""
    return GatewaySecretInfo(
        secret_id=d["secret_id"],
        secret_name=d.get("secret_name", ""),
        masked_values=dict(d.get("masked_values") or {}),
        provider=d.get("provider"),
        auth_config=dict(d.get("auth_config") or {}),
        created_at=_int(d.get("created_at")),
        last_updated_at=_int(d.get("last_updated_at")),
        created_by=d.get("created_by"),
        last_updated_by=d.get("last_updated_by"),
    )


def definition_from_json(d: Mapping[str, Any]) -> GatewayModelDefinition:
    """A ``GatewayModelDefinition``."""
    return GatewayModelDefinition(
        model_definition_id=d["model_definition_id"],
        name=d.get("name", ""),
        secret_id=d.get("secret_id"),
        secret_name=d.get("secret_name"),
        provider=d.get("provider", ""),
        model_name=d.get("model_name", ""),
        created_at=_int(d.get("created_at")),
        last_updated_at=_int(d.get("last_updated_at")),
        created_by=d.get("created_by"),
        last_updated_by=d.get("last_updated_by"),
    )


def mapping_from_json(d: Mapping[str, Any]) -> ModelMapping:
    """A ``GatewayEndpointModelMapping``."""
    definition = d.get("model_definition") or {"model_definition_id": d["model_definition_id"]}
    return ModelMapping(
        mapping_id=d["mapping_id"],
        endpoint_id=d.get("endpoint_id", ""),
        model_definition=definition_from_json(definition),
        weight=float(d.get("weight", 1.0)),
        linkage_type=d.get("linkage_type", "PRIMARY"),
        fallback_order=d.get("fallback_order"),
        created_at=_int(d.get("created_at")),
        created_by=d.get("created_by"),
    )


def endpoint_from_json(d: Mapping[str, Any]) -> GatewayEndpoint:
    """A ``GatewayEndpoint`` (with Ardea's ``endpoint_type`` and ``options`` when present)."""
    fallback = d.get("fallback_config") or {}
    return GatewayEndpoint(
        endpoint_id=d["endpoint_id"],
        name=d.get("name", ""),
        endpoint_type=d.get("endpoint_type", "llm/v1/chat"),
        model_mappings=tuple(mapping_from_json(m) for m in d.get("model_mappings") or []),
        tags={t["key"]: t.get("value", "") for t in d.get("tags") or []},
        routing_strategy=d.get("routing_strategy"),
        fallback_strategy=fallback.get("strategy"),
        fallback_max_attempts=fallback.get("max_attempts"),
        experiment_id=d.get("experiment_id"),
        usage_tracking=bool(d.get("usage_tracking", True)),
        created_at=_int(d.get("created_at")),
        last_updated_at=_int(d.get("last_updated_at")),
        created_by=d.get("created_by"),
        last_updated_by=d.get("last_updated_by"),
        options=dict(d.get("options") or {}),
    )


def binding_from_json(d: Mapping[str, Any]) -> EndpointBinding:
    """A ``GatewayEndpointBinding``."""
    return EndpointBinding(
        endpoint_id=d["endpoint_id"],
        resource_type=d["resource_type"],
        resource_id=d["resource_id"],
        created_at=_int(d.get("created_at")),
        last_updated_at=_int(d.get("last_updated_at")),
        created_by=d.get("created_by"),
        last_updated_by=d.get("last_updated_by"),
        display_name=d.get("display_name"),
    )


def budget_from_json(d: Mapping[str, Any]) -> GatewayBudgetPolicy:
    """A ``GatewayBudgetPolicy``."""
    duration = d.get("duration") or {}
    return GatewayBudgetPolicy(
        budget_policy_id=d["budget_policy_id"],
        budget_unit=d.get("budget_unit", "USD"),
        budget_amount=float(d.get("budget_amount", 0.0)),
        duration_unit=duration.get("unit", ""),
        duration_value=_int(duration.get("value")),
        target_scope=d.get("target_scope", ""),
        target_value=d.get("target_value"),
        budget_action=d.get("budget_action", ""),
        created_at=_int(d.get("created_at")),
        last_updated_at=_int(d.get("last_updated_at")),
        created_by=d.get("created_by"),
        last_updated_by=d.get("last_updated_by"),
    )


def guardrail_from_json(d: Mapping[str, Any]) -> GatewayGuardrail:
    """A ``GatewayGuardrail``."""
    scorer = d.get("scorer") or {}
    version = scorer.get("scorer_version")
    return GatewayGuardrail(
        guardrail_id=d["guardrail_id"],
        name=d.get("name", ""),
        scorer_id=scorer.get("scorer_id", ""),
        scorer_version=int(version) if version is not None else None,
        stage=d.get("stage", ""),
        action=d.get("action", ""),
        action_endpoint_id=d.get("action_endpoint_id"),
        created_at=_int(d.get("created_at")),
        last_updated_at=_int(d.get("last_updated_at")),
        created_by=d.get("created_by"),
        last_updated_by=d.get("last_updated_by"),
        config=d.get("config"),
    )


def guardrail_config_from_json(d: Mapping[str, Any]) -> EndpointGuardrailConfig:
    """A ``GatewayGuardrailConfig``."""
    return EndpointGuardrailConfig(
        endpoint_id=d["endpoint_id"],
        guardrail=guardrail_from_json(d.get("guardrail") or {"guardrail_id": d["guardrail_id"]}),
        execution_order=d.get("execution_order"),
        created_at=_int(d.get("created_at")),
        created_by=d.get("created_by"),
    )
