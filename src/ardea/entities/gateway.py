"""Gateway management entities, in MLflow's names (``MLFLOW-WIRE.md`` section 12.2).

A secret holds provider credentials, shown only masked (:func:`mask_values`); a model
definition names a provider model and the secret it uses; an endpoint maps model
definitions as PRIMARY (weighted traffic split) or FALLBACK (in ``fallback_order``); budget
policies and guardrails are workspace-wide and guardrails attach to endpoints in an order.
Ids carry MLflow's prefixes: ``s-``, ``d-``, ``e-``, ``m-`` (mappings), ``bp-``, ``gr-``.
Times are epoch milliseconds. ``to_dict`` gives each one's MLflow JSON.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "BUDGET_ACTIONS",
    "BUDGET_DURATION_UNITS",
    "BUDGET_TARGET_SCOPES",
    "GUARDRAIL_ACTIONS",
    "GUARDRAIL_STAGES",
    "LINKAGE_TYPES",
    "EndpointBinding",
    "EndpointGuardrailConfig",
    "GatewayBudgetPolicy",
    "GatewayEndpoint",
    "GatewayGuardrail",
    "GatewayModelDefinition",
    "GatewaySecretInfo",
    "ModelConfig",
    "ModelMapping",
    "mask_value",
    "mask_values",
    "new_id",
    "validate_endpoint_name",
]

LINKAGE_TYPES = ("PRIMARY", "FALLBACK")
"""How a model definition is linked to an endpoint."""

BUDGET_DURATION_UNITS = ("MINUTES", "HOURS", "DAYS", "WEEKS", "MONTHS")
"""Units of a budget window."""

BUDGET_TARGET_SCOPES = ("GLOBAL", "WORKSPACE", "ENDPOINT", "USER")
"""Whose spending a budget counts (ENDPOINT and USER need a ``target_value``)."""

BUDGET_ACTIONS = ("ALERT", "REJECT")
"""What a spent budget does."""

GUARDRAIL_STAGES = ("BEFORE", "AFTER")
"""When a guardrail runs, relative to the provider call."""

GUARDRAIL_ACTIONS = ("VALIDATION", "SANITIZATION")
"""What a failed guardrail does: block the request, or redact it."""


_ENDPOINT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")


def validate_endpoint_name(name: object) -> str:
    """An endpoint name callers can put in a URL and in ``model``.

    Raises:
        InvalidArgumentError: Not letters, digits, ``-``, ``_`` and ``.`` (starting with a
            letter or digit, at most 255 characters).
    """
    if not isinstance(name, str) or not _ENDPOINT_NAME.fullmatch(name):
        raise InvalidArgumentError(
            f"Invalid endpoint name {str(name)[:80]!r}: use letters, digits, '-', '_' and '.', "
            "starting with a letter or digit"
        )
    return name


def new_id(prefix: str) -> str:
    """A fresh id: ``prefix`` + ``-`` + 32 hex characters (MLflow's form)."""
    return f"{prefix}-{uuid.uuid4().hex}"


def mask_value(value: str) -> str:
    """``sk-...1234`` for a value of 8 characters or more, else ``***`` (as MLflow)."""
    if not isinstance(value, str) or len(value) < 8:
        return "***"
    return f"{value[:3]}...{value[-4:]}"


def mask_values(values: Mapping[str, str]) -> dict[str, str]:
    """Every value of a credentials map masked with :func:`mask_value`."""
    return {k: mask_value(v) for k, v in values.items()}


@dataclass(frozen=True)
class GatewaySecretInfo:
    """A secret's metadata: never its value, only ``masked_values``."""

    secret_id: str
    secret_name: str
    masked_values: Mapping[str, str]
    provider: str | None
    auth_config: Mapping[str, Any]
    created_at: int
    last_updated_at: int
    created_by: str | None = None
    last_updated_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """MLflow's ``GatewaySecretInfo`` JSON."""
        out: dict[str, Any] = {
            "secret_id": self.secret_id,
            "secret_name": self.secret_name,
            "masked_values": dict(self.masked_values),
            "created_at": self.created_at,
            "last_updated_at": self.last_updated_at,
        }
        if self.provider is not None:
            out["provider"] = self.provider
        if self.auth_config:
            out["auth_config"] = {k: _text(v) for k, v in self.auth_config.items()}
        for key in ("created_by", "last_updated_by"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value)


@dataclass(frozen=True)
class GatewayModelDefinition:
    """A provider model and the secret it calls with."""

    model_definition_id: str
    name: str
    secret_id: str | None
    secret_name: str | None
    provider: str
    model_name: str
    created_at: int
    last_updated_at: int
    created_by: str | None = None
    last_updated_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """MLflow's ``GatewayModelDefinition`` JSON."""
        out = {
            k: v
            for k, v in (
                ("model_definition_id", self.model_definition_id),
                ("name", self.name),
                ("secret_id", self.secret_id),
                ("secret_name", self.secret_name),
                ("provider", self.provider),
                ("model_name", self.model_name),
                ("created_at", self.created_at),
                ("last_updated_at", self.last_updated_at),
                ("created_by", self.created_by),
                ("last_updated_by", self.last_updated_by),
            )
            if v is not None
        }
        return out


@dataclass(frozen=True)
class ModelConfig:
    """One model definition to map onto an endpoint (the create/attach input)."""

    model_definition_id: str
    linkage_type: str = "PRIMARY"
    weight: float = 1.0
    fallback_order: int | None = None


@dataclass(frozen=True)
class ModelMapping:
    """A model definition mapped onto an endpoint."""

    mapping_id: str
    endpoint_id: str
    model_definition: GatewayModelDefinition
    weight: float
    linkage_type: str
    fallback_order: int | None
    created_at: int
    created_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """MLflow's ``GatewayEndpointModelMapping`` JSON."""
        out: dict[str, Any] = {
            "mapping_id": self.mapping_id,
            "endpoint_id": self.endpoint_id,
            "model_definition_id": self.model_definition.model_definition_id,
            "model_definition": self.model_definition.to_dict(),
            "weight": self.weight,
            "linkage_type": self.linkage_type,
            "created_at": self.created_at,
        }
        if self.fallback_order is not None:
            out["fallback_order"] = self.fallback_order
        if self.created_by is not None:
            out["created_by"] = self.created_by
        return out


@dataclass(frozen=True)
class GatewayEndpoint:
    """An endpoint: its model mappings, routing, fallback, tags and Ardea options.

    ``options`` holds what MLflow's wire has no field for (Ardea's richer configuration):
    ``endpoint_type``-independent keys ``timeout_s``, ``allow_model_override``,
    ``cache_ttl_s`` and ``limits`` (a list of ``{scope, requests_per_minute,
    tokens_per_minute}``).
    """

    endpoint_id: str
    name: str
    endpoint_type: str
    model_mappings: tuple[ModelMapping, ...]
    tags: Mapping[str, str]
    routing_strategy: str | None
    fallback_strategy: str | None
    fallback_max_attempts: int | None
    experiment_id: str | None
    usage_tracking: bool
    created_at: int
    last_updated_at: int
    created_by: str | None = None
    last_updated_by: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """MLflow's ``GatewayEndpoint`` JSON, plus Ardea's ``endpoint_type`` and ``options``."""
        out: dict[str, Any] = {
            "endpoint_id": self.endpoint_id,
            "name": self.name,
            "created_at": self.created_at,
            "last_updated_at": self.last_updated_at,
            "model_mappings": [m.to_dict() for m in self.model_mappings],
            "tags": [{"key": k, "value": v} for k, v in sorted(self.tags.items())],
            "usage_tracking": self.usage_tracking,
            "endpoint_type": self.endpoint_type,  # Ardea's (MLflow's clients ignore it)
        }
        if self.options:
            out["options"] = dict(self.options)  # Ardea's: timeout, cache, limits, override
        if self.routing_strategy:
            out["routing_strategy"] = self.routing_strategy
        if self.fallback_strategy or self.fallback_max_attempts is not None:
            fallback: dict[str, Any] = {}
            if self.fallback_strategy:
                fallback["strategy"] = self.fallback_strategy
            if self.fallback_max_attempts is not None:
                fallback["max_attempts"] = self.fallback_max_attempts
            out["fallback_config"] = fallback
        if self.experiment_id is not None:
            out["experiment_id"] = self.experiment_id
        for key in ("created_by", "last_updated_by"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class EndpointBinding:
    """A resource (e.g. a scorer) bound to an endpoint."""

    endpoint_id: str
    resource_type: str
    resource_id: str
    created_at: int
    last_updated_at: int
    created_by: str | None = None
    last_updated_by: str | None = None
    display_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """MLflow's ``GatewayEndpointBinding`` JSON."""
        return {
            k: v
            for k, v in (
                ("endpoint_id", self.endpoint_id),
                ("resource_type", self.resource_type),
                ("resource_id", self.resource_id),
                ("created_at", self.created_at),
                ("last_updated_at", self.last_updated_at),
                ("created_by", self.created_by),
                ("last_updated_by", self.last_updated_by),
                ("display_name", self.display_name),
            )
            if v is not None
        }


@dataclass(frozen=True)
class GatewayBudgetPolicy:
    """A spending limit over a window, for everyone, a workspace, an endpoint or a user."""

    budget_policy_id: str
    budget_unit: str
    budget_amount: float
    duration_unit: str
    duration_value: int
    target_scope: str
    target_value: str | None
    budget_action: str
    created_at: int
    last_updated_at: int
    created_by: str | None = None
    last_updated_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """MLflow's ``GatewayBudgetPolicy`` JSON."""
        out: dict[str, Any] = {
            "budget_policy_id": self.budget_policy_id,
            "budget_unit": self.budget_unit,
            "budget_amount": self.budget_amount,
            "duration": {"unit": self.duration_unit, "value": self.duration_value},
            "target_scope": self.target_scope,
            "budget_action": self.budget_action,
            "created_at": self.created_at,
            "last_updated_at": self.last_updated_at,
        }
        for key in ("target_value", "created_by", "last_updated_by"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class GatewayGuardrail:
    """A scorer run before or after the provider call, that blocks or redacts.

    ``config`` (an Ardea extension) holds a pattern guardrail's check (scorer id
    ``ardea:patterns``): ``{"patterns": {name: RE2 expression}, "pii": [detector, ...]}``.
    """

    guardrail_id: str
    name: str
    scorer_id: str
    scorer_version: int | None
    stage: str
    action: str
    action_endpoint_id: str | None
    created_at: int
    last_updated_at: int
    created_by: str | None = None
    last_updated_by: str | None = None
    config: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """MLflow's ``GatewayGuardrail`` JSON (``scorer`` carries the scorer's id/version)."""
        scorer: dict[str, Any] = {"scorer_id": self.scorer_id}
        if self.scorer_version is not None:
            scorer["scorer_version"] = self.scorer_version
        out: dict[str, Any] = {
            "guardrail_id": self.guardrail_id,
            "name": self.name,
            "scorer": scorer,
            "stage": self.stage,
            "action": self.action,
            "created_at": self.created_at,
            "last_updated_at": self.last_updated_at,
        }
        for key in ("action_endpoint_id", "created_by", "last_updated_by"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.config is not None:
            out["config"] = dict(self.config)
        return out


@dataclass(frozen=True)
class EndpointGuardrailConfig:
    """A guardrail attached to an endpoint, with its place in the execution order."""

    endpoint_id: str
    guardrail: GatewayGuardrail
    execution_order: int | None
    created_at: int
    created_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """MLflow's ``GatewayGuardrailConfig`` JSON."""
        out: dict[str, Any] = {
            "endpoint_id": self.endpoint_id,
            "guardrail_id": self.guardrail.guardrail_id,
            "guardrail": self.guardrail.to_dict(),
            "created_at": self.created_at,
        }
        if self.execution_order is not None:
            out["execution_order"] = self.execution_order
        if self.created_by is not None:
            out["created_by"] = self.created_by
        return out
