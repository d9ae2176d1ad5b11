"""The gateway management contract (MLflow's ``/api/3.0/mlflow/gateway/...`` resources).

Backend: ``store.sql.gateway.store.SqlGatewayStore`` (on the tracking database, one workspace
per store like the others).

Conventions: an id or name that does not exist in the store's workspace raises
:class:`ardea.NotFoundError`; a taken name :class:`ardea.AlreadyExistsError`; bad input
:class:`ardea.InvalidArgumentError` and stores nothing; deleting a model definition an
endpoint still maps :class:`ardea.FailedPreconditionError`. Times are epoch milliseconds.

Secrets: the plaintext values are encrypted (:mod:`ardea._core.envelope`) before they reach
the database and are returned only by :meth:`GatewayStore.secret_values`, which the
request path's :class:`ardea.gateway.config.GatewaySource` calls; every other method returns
:class:`~ardea.entities.gateway.GatewaySecretInfo` with masked values.

:attr:`GatewayStore.generation` changes after every write made through this process's
stores (all workspaces of one database share it), so a cache in front of the store can see
its own process's writes at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from ardea.entities import PagedList
from ardea.entities.gateway import (
    EndpointBinding,
    EndpointGuardrailConfig,
    GatewayBudgetPolicy,
    GatewayEndpoint,
    GatewayGuardrail,
    GatewayModelDefinition,
    GatewaySecretInfo,
    ModelConfig,
    ModelMapping,
)

__all__ = ["GatewayStore", "UnsupportedGatewayStore"]


class GatewayStore(ABC):
    """Secrets, model definitions, endpoints, budgets and guardrails of one workspace."""

    @property
    @abstractmethod
    def generation(self) -> int:
        """A number that moves after every write through this process's stores."""

    @property
    @abstractmethod
    def workspace(self) -> str:
        """The workspace this store sees."""

    # -- secrets ------------------------------------------------------------------------------

    @abstractmethod
    def create_secret(
        self,
        secret_name: str,
        secret_value: Mapping[str, str],
        provider: str | None = None,
        auth_config: Mapping[str, Any] | None = None,
        created_by: str | None = None,
    ) -> GatewaySecretInfo:
        """Store new credentials (encrypted); the answer shows them masked."""

    @abstractmethod
    def get_secret(
        self, secret_id: str | None = None, secret_name: str | None = None
    ) -> GatewaySecretInfo:
        """One secret's metadata, by id or by name (exactly one of them)."""

    @abstractmethod
    def update_secret(
        self,
        secret_id: str,
        secret_value: Mapping[str, str] | None = None,
        auth_config: Mapping[str, Any] | None = None,
        updated_by: str | None = None,
    ) -> GatewaySecretInfo:
        """Replace the values and/or the auth config (None leaves it; ``{}`` clears it)."""

    @abstractmethod
    def delete_secret(self, secret_id: str) -> None:
        """Delete a secret (model definitions using it are left without one)."""

    @abstractmethod
    def list_secrets(self, provider: str | None = None) -> list[GatewaySecretInfo]:
        """Every secret, by name, optionally of one provider."""

    @abstractmethod
    def secret_values(self, secret_id: str) -> dict[str, str]:
        """The decrypted values (for the request path only; never returned over HTTP)."""

    @abstractmethod
    def rotate_kek(self) -> int:
        """Re-wrap the data key of every secret of this workspace under the current KEK.

        Returns:
            How many secrets were re-wrapped (those already under it are left).
        """

    # -- model definitions --------------------------------------------------------------------

    @abstractmethod
    def create_model_definition(
        self,
        name: str,
        provider: str,
        model_name: str,
        secret_id: str | None = None,
        created_by: str | None = None,
    ) -> GatewayModelDefinition:
        """A new model definition (its secret must exist in the workspace)."""

    @abstractmethod
    def get_model_definition(self, model_definition_id: str) -> GatewayModelDefinition:
        """One model definition."""

    @abstractmethod
    def list_model_definitions(
        self, provider: str | None = None, secret_id: str | None = None
    ) -> list[GatewayModelDefinition]:
        """Model definitions by name, optionally filtered."""

    @abstractmethod
    def update_model_definition(
        self,
        model_definition_id: str,
        name: str | None = None,
        secret_id: str | None = None,
        model_name: str | None = None,
        provider: str | None = None,
        updated_by: str | None = None,
    ) -> GatewayModelDefinition:
        """Change the given fields."""

    @abstractmethod
    def delete_model_definition(self, model_definition_id: str) -> None:
        """Delete a definition no endpoint maps (FailedPreconditionError otherwise)."""

    # -- endpoints ----------------------------------------------------------------------------

    @abstractmethod
    def create_endpoint(
        self,
        name: str,
        model_configs: Sequence[ModelConfig],
        *,
        endpoint_type: str = "llm/v1/chat",
        routing_strategy: str | None = None,
        fallback_strategy: str | None = None,
        fallback_max_attempts: int | None = None,
        experiment_id: str | None = None,
        usage_tracking: bool = True,
        options: Mapping[str, Any] | None = None,
        created_by: str | None = None,
    ) -> GatewayEndpoint:
        """A new endpoint mapping existing model definitions (at least one PRIMARY)."""

    @abstractmethod
    def get_endpoint(
        self, endpoint_id: str | None = None, name: str | None = None
    ) -> GatewayEndpoint:
        """One endpoint, by id or by name (exactly one of them)."""

    @abstractmethod
    def list_endpoints(
        self, provider: str | None = None, secret_id: str | None = None
    ) -> list[GatewayEndpoint]:
        """Endpoints by name; filters keep those mapping a definition of the provider/secret."""

    @abstractmethod
    def update_endpoint(
        self,
        endpoint_id: str,
        *,
        name: str | None = None,
        model_configs: Sequence[ModelConfig] | None = None,
        routing_strategy: str | None = None,
        fallback_strategy: str | None = None,
        fallback_max_attempts: int | None = None,
        experiment_id: str | None = None,
        usage_tracking: bool | None = None,
        options: Mapping[str, Any] | None = None,
        updated_by: str | None = None,
    ) -> GatewayEndpoint:
        """Change the given fields (``model_configs`` replaces every mapping)."""

    @abstractmethod
    def delete_endpoint(self, endpoint_id: str) -> None:
        """Delete an endpoint with its mappings, tags, bindings and guardrail links."""

    @abstractmethod
    def attach_model(
        self, endpoint_id: str, config: ModelConfig, created_by: str | None = None
    ) -> ModelMapping:
        """Map one more definition (AlreadyExistsError if mapped with that linkage)."""

    @abstractmethod
    def detach_model(self, endpoint_id: str, model_definition_id: str) -> None:
        """Remove a definition's mappings from an endpoint."""

    @abstractmethod
    def set_endpoint_tag(self, endpoint_id: str, key: str, value: str) -> None:
        """Set a tag."""

    @abstractmethod
    def delete_endpoint_tag(self, endpoint_id: str, key: str) -> None:
        """Delete a tag (a missing key is fine)."""

    @abstractmethod
    def create_binding(
        self,
        endpoint_id: str,
        resource_type: str,
        resource_id: str,
        created_by: str | None = None,
    ) -> EndpointBinding:
        """Bind a resource to an endpoint."""

    @abstractmethod
    def delete_binding(self, endpoint_id: str, resource_type: str, resource_id: str) -> None:
        """Remove a binding (NotFoundError if absent)."""

    @abstractmethod
    def list_bindings(
        self,
        endpoint_id: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> list[EndpointBinding]:
        """Bindings matching every given filter."""

    # -- budgets ------------------------------------------------------------------------------

    @abstractmethod
    def create_budget_policy(
        self,
        budget_amount: float,
        duration_unit: str,
        duration_value: int,
        target_scope: str,
        budget_action: str,
        *,
        budget_unit: str = "USD",
        target_value: str | None = None,
        created_by: str | None = None,
    ) -> GatewayBudgetPolicy:
        """A new budget policy."""

    @abstractmethod
    def get_budget_policy(self, budget_policy_id: str) -> GatewayBudgetPolicy:
        """One budget policy."""

    @abstractmethod
    def update_budget_policy(
        self,
        budget_policy_id: str,
        *,
        budget_amount: float | None = None,
        duration_unit: str | None = None,
        duration_value: int | None = None,
        target_scope: str | None = None,
        budget_action: str | None = None,
        budget_unit: str | None = None,
        target_value: str | None = None,
        updated_by: str | None = None,
    ) -> GatewayBudgetPolicy:
        """Change the given fields."""

    @abstractmethod
    def delete_budget_policy(self, budget_policy_id: str) -> None:
        """Delete a budget policy."""

    @abstractmethod
    def list_budget_policies(
        self, max_results: int = 100, page_token: str | None = None
    ) -> PagedList[GatewayBudgetPolicy]:
        """Budget policies, oldest first."""

    # -- guardrails ---------------------------------------------------------------------------

    @abstractmethod
    def create_guardrail(
        self,
        name: str,
        scorer_id: str,
        stage: str,
        action: str,
        *,
        scorer_version: int | None = None,
        action_endpoint_id: str | None = None,
        created_by: str | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> GatewayGuardrail:
        """A new guardrail (``config``: a pattern guardrail's check, validated by the caller)."""

    @abstractmethod
    def set_guardrail_config(
        self, guardrail_id: str, config: Mapping[str, Any], updated_by: str | None = None
    ) -> GatewayGuardrail:
        """Replace a guardrail's ``config`` (validated by the caller)."""

    @abstractmethod
    def get_guardrail(self, guardrail_id: str) -> GatewayGuardrail:
        """One guardrail."""

    @abstractmethod
    def delete_guardrail(self, guardrail_id: str) -> None:
        """Delete a guardrail (and its endpoint links)."""

    @abstractmethod
    def list_guardrails(
        self, max_results: int = 100, page_token: str | None = None
    ) -> PagedList[GatewayGuardrail]:
        """Guardrails, by name."""

    @abstractmethod
    def add_guardrail_to_endpoint(
        self,
        endpoint_id: str,
        guardrail_id: str,
        execution_order: int | None = None,
        created_by: str | None = None,
    ) -> EndpointGuardrailConfig:
        """Attach a guardrail to an endpoint."""

    @abstractmethod
    def remove_guardrail_from_endpoint(self, endpoint_id: str, guardrail_id: str) -> None:
        """Detach a guardrail (NotFoundError if not attached)."""

    @abstractmethod
    def list_endpoint_guardrails(self, endpoint_id: str) -> list[EndpointGuardrailConfig]:
        """An endpoint's guardrails in execution order (unordered ones last, by name)."""

    @abstractmethod
    def update_endpoint_guardrail(
        self, endpoint_id: str, guardrail_id: str, execution_order: int | None
    ) -> EndpointGuardrailConfig:
        """Move a guardrail in an endpoint's execution order."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (nothing by default)."""


def _unsupported(*args: Any, **kwargs: Any) -> Any:
    from ardea._core.errors import NotImplementedFeatureError

    raise NotImplementedFeatureError("This backend has no gateway management store.")


class UnsupportedGatewayStore(GatewayStore):
    """A backend without a gateway store: every call raises NotImplementedFeatureError."""

    generation = property(lambda self: 0)
    workspace = property(lambda self: "default")
    create_secret = get_secret = update_secret = delete_secret = list_secrets = _unsupported
    secret_values = rotate_kek = _unsupported
    create_model_definition = get_model_definition = list_model_definitions = _unsupported
    update_model_definition = delete_model_definition = _unsupported
    create_endpoint = get_endpoint = list_endpoints = update_endpoint = _unsupported
    delete_endpoint = attach_model = detach_model = set_endpoint_tag = _unsupported
    delete_endpoint_tag = create_binding = delete_binding = list_bindings = _unsupported
    create_budget_policy = get_budget_policy = update_budget_policy = _unsupported
    delete_budget_policy = list_budget_policies = _unsupported
    create_guardrail = get_guardrail = delete_guardrail = list_guardrails = _unsupported
    add_guardrail_to_endpoint = remove_guardrail_from_endpoint = _unsupported
    list_endpoint_guardrails = update_endpoint_guardrail = set_guardrail_config = _unsupported
