"""Gateway management answers (``/mlflow/gateway/*``, MLflow's shapes; section 12.2).

A secret is only ever shown as ``masked_values``; its values are never in an answer.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "BindingResponse",
    "BindingsResponse",
    "BudgetPoliciesResponse",
    "BudgetPolicyResponse",
    "EndpointResponse",
    "EndpointsResponse",
    "GuardrailConfigResponse",
    "GuardrailConfigsResponse",
    "GuardrailResponse",
    "GuardrailsResponse",
    "MappingResponse",
    "ModelsResponse",
    "ProviderConfigResponse",
    "ProvidersResponse",
    "SecretsConfigResponse",
    "ModelDefinitionResponse",
    "ModelDefinitionsResponse",
    "SecretJson",
    "SecretResponse",
    "SecretsResponse",
    "WindowsResponse",
]


class SecretJson(TypedDict):
    """``GatewaySecretInfo``: a secret's metadata with masked values."""

    secret_id: str
    secret_name: str
    masked_values: dict[str, str]
    created_at: Int64
    last_updated_at: Int64
    provider: NotRequired[str]
    auth_config: NotRequired[dict[str, str]]
    created_by: NotRequired[str]
    last_updated_by: NotRequired[str]


class SecretResponse(TypedDict):
    """Create/Get/UpdateGatewaySecret."""

    secret: SecretJson


class SecretsResponse(TypedDict):
    """ListGatewaySecretInfos."""

    secrets: list[SecretJson]


class ModelDefinitionResponse(TypedDict):
    """Create/Get/UpdateGatewayModelDefinition."""

    model_definition: dict[str, Any]


class ModelDefinitionsResponse(TypedDict):
    """ListGatewayModelDefinitions."""

    model_definitions: list[dict[str, Any]]


class EndpointResponse(TypedDict):
    """Create/Get/UpdateGatewayEndpoint: ``GatewayEndpoint`` with its model mappings."""

    endpoint: dict[str, Any]


class EndpointsResponse(TypedDict):
    """ListGatewayEndpoints."""

    endpoints: list[dict[str, Any]]


class MappingResponse(TypedDict):
    """AttachModelToGatewayEndpoint."""

    mapping: dict[str, Any]


class BindingResponse(TypedDict):
    """CreateGatewayEndpointBinding."""

    binding: dict[str, Any]


class BindingsResponse(TypedDict):
    """ListGatewayEndpointBindings."""

    bindings: list[dict[str, Any]]


class BudgetPolicyResponse(TypedDict):
    """Create/Get/UpdateGatewayBudgetPolicy."""

    budget_policy: dict[str, Any]


class BudgetPoliciesResponse(TypedDict):
    """ListGatewayBudgetPolicies."""

    budget_policies: list[dict[str, Any]]
    next_page_token: NotRequired[str]


class WindowsResponse(TypedDict):
    """ListBudgetWindows: the current window of each budget policy."""

    windows: list[dict[str, Any]]


class GuardrailResponse(TypedDict):
    """Create/GetGatewayGuardrail."""

    guardrail: dict[str, Any]


class GuardrailsResponse(TypedDict):
    """ListGatewayGuardrails."""

    guardrails: list[dict[str, Any]]
    next_page_token: NotRequired[str]


class GuardrailConfigResponse(TypedDict):
    """AddGuardrailToEndpoint, UpdateEndpointGuardrailConfig."""

    config: dict[str, Any]


class GuardrailConfigsResponse(TypedDict):
    """ListEndpointGuardrailConfigs."""

    configs: list[dict[str, Any]]


class ProvidersResponse(TypedDict):
    """The UI's supported-providers helper."""

    providers: list[str]


class ModelsResponse(TypedDict):
    """The UI's supported-models helper: ``[{model, provider, mode}]``."""

    models: list[dict[str, str]]


class ProviderConfigResponse(TypedDict):
    """The UI's provider-config helper: how a provider's secret is filled in."""

    auth_modes: list[dict[str, Any]]
    default_mode: str
    env_credentials_available: bool


class SecretsConfigResponse(TypedDict):
    """The UI's secrets/config helper."""

    secrets_available: bool
    using_default_passphrase: bool
