"""The gateway management store over a server's ``/api/3.0/mlflow/gateway`` API (MLflow's too).

What MLflow's wire cannot carry is refused rather than dropped: endpoint ``options``
(manage them on the database, or in the config file), :meth:`secret_values` (a server
never returns a secret) and :meth:`rotate_kek` (run ``ardea gateway rotate-kek`` on the
database). ``generation`` is 0: a client keeps no cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ardea._core.errors import InvalidArgumentError, NotImplementedFeatureError
from ardea.api import mlflow_gateway_json as gj
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
from ardea.store.gateway import GatewayStore
from ardea.store.rest.http import RestClient

__all__ = ["RestGatewayStore"]

_PATH = "/api/3.0/mlflow/gateway"


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _config(c: ModelConfig) -> dict[str, Any]:
    return _given(
        model_definition_id=c.model_definition_id,
        linkage_type=c.linkage_type,
        weight=c.weight,
        fallback_order=c.fallback_order,
    )


def _strings(config: Mapping[str, Any] | None) -> dict[str, str] | None:
    if config is None:
        return None
    return {k: v if isinstance(v, str) else str(v) for k, v in config.items() if v is not None}


class RestGatewayStore(GatewayStore):
    """A :class:`GatewayStore` that is a client of a server.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: Optional ready-made :class:`RestClient` (shared with the backend's other stores).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._rest = rest or RestClient(self.uri)

    def __repr__(self) -> str:
        return f"RestGatewayStore({self.uri!r})"

    @property
    def generation(self) -> int:
        """Always 0 (nothing is cached client-side)."""
        return 0

    @property
    def workspace(self) -> str:
        """The workspace the client's requests name (the server decides)."""
        return "default"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        if method == "GET":
            return self._rest.call(method, f"{_PATH}/{path}", params=body or {})
        return self._rest.call(method, f"{_PATH}/{path}", json=body or {})

    # -- secrets ------------------------------------------------------------------------------

    def create_secret(
        self,
        secret_name: str,
        secret_value: Mapping[str, str],
        provider: str | None = None,
        auth_config: Mapping[str, Any] | None = None,
        created_by: str | None = None,
    ) -> GatewaySecretInfo:
        """Store new credentials on the server."""
        body = _given(
            secret_name=secret_name,
            secret_value=dict(secret_value),
            provider=provider,
            auth_config=_strings(auth_config),
            created_by=created_by,
        )
        return gj.secret_from_json(self._call("POST", "secrets/create", body)["secret"])

    def get_secret(
        self, secret_id: str | None = None, secret_name: str | None = None
    ) -> GatewaySecretInfo:
        """One secret's metadata."""
        body = _given(secret_id=secret_id, secret_name=secret_name)
        return gj.secret_from_json(self._call("GET", "secrets/get", body)["secret"])

    def update_secret(
        self,
        secret_id: str,
        secret_value: Mapping[str, str] | None = None,
        auth_config: Mapping[str, Any] | None = None,
        updated_by: str | None = None,
    ) -> GatewaySecretInfo:
        """Replace values and/or auth config (an empty map cannot clear it over the wire)."""
        body = _given(
            secret_id=secret_id,
            secret_value=dict(secret_value) if secret_value else None,
            auth_config=_strings(auth_config) or None,
            updated_by=updated_by,
        )
        return gj.secret_from_json(self._call("POST", "secrets/update", body)["secret"])

    def delete_secret(self, secret_id: str) -> None:
        """Delete a secret."""
        self._call("DELETE", "secrets/delete", {"secret_id": secret_id})

    def list_secrets(self, provider: str | None = None) -> list[GatewaySecretInfo]:
        """Secrets (masked)."""
        out = self._call("GET", "secrets/list", _given(provider=provider))
        return [gj.secret_from_json(s) for s in out.get("secrets") or []]

    def secret_values(self, secret_id: str) -> dict[str, str]:
        """Refused: a server never returns a secret's values."""
        raise NotImplementedFeatureError("A server never returns a secret's values.")

    def rotate_kek(self) -> int:
        """Refused: rotate on the database (``ardea gateway rotate-kek``)."""
        raise NotImplementedFeatureError(
            "Rotate the key on the database: ardea gateway rotate-kek --backend-store-uri ..."
        )

    # -- model definitions --------------------------------------------------------------------

    def create_model_definition(
        self,
        name: str,
        provider: str,
        model_name: str,
        secret_id: str | None = None,
        created_by: str | None = None,
    ) -> GatewayModelDefinition:
        """A new model definition."""
        body = _given(
            name=name,
            provider=provider,
            model_name=model_name,
            secret_id=secret_id,
            created_by=created_by,
        )
        out = self._call("POST", "model-definitions/create", body)
        return gj.definition_from_json(out["model_definition"])

    def get_model_definition(self, model_definition_id: str) -> GatewayModelDefinition:
        """One model definition."""
        body = {"model_definition_id": model_definition_id}
        out = self._call("GET", "model-definitions/get", body)
        return gj.definition_from_json(out["model_definition"])

    def list_model_definitions(
        self, provider: str | None = None, secret_id: str | None = None
    ) -> list[GatewayModelDefinition]:
        """Model definitions."""
        out = self._call(
            "GET", "model-definitions/list", _given(provider=provider, secret_id=secret_id)
        )
        return [gj.definition_from_json(d) for d in out.get("model_definitions") or []]

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
        body = _given(
            model_definition_id=model_definition_id,
            name=name,
            secret_id=secret_id,
            model_name=model_name,
            provider=provider,
            updated_by=updated_by,
        )
        out = self._call("POST", "model-definitions/update", body)
        return gj.definition_from_json(out["model_definition"])

    def delete_model_definition(self, model_definition_id: str) -> None:
        """Delete a model definition."""
        self._call(
            "DELETE", "model-definitions/delete", {"model_definition_id": model_definition_id}
        )

    # -- endpoints ----------------------------------------------------------------------------

    def _endpoint_body(
        self,
        model_configs: Sequence[ModelConfig] | None,
        routing_strategy: str | None,
        fallback_strategy: str | None,
        fallback_max_attempts: int | None,
        options: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        if options:
            raise InvalidArgumentError(
                "Endpoint options are not on MLflow's wire: set them on the database "
                "(ardea.store's gateway store) or in the gateway config file."
            )
        fallback = _given(strategy=fallback_strategy, max_attempts=fallback_max_attempts)
        return _given(
            model_configs=[_config(c) for c in model_configs] if model_configs else None,
            routing_strategy=routing_strategy,
            fallback_config=fallback or None,
        )

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
        """A new endpoint."""
        body = self._endpoint_body(
            model_configs, routing_strategy, fallback_strategy, fallback_max_attempts, options
        )
        body.update(
            _given(
                name=name,
                endpoint_type=endpoint_type,
                experiment_id=experiment_id,
                usage_tracking=usage_tracking,
                created_by=created_by,
            )
        )
        return gj.endpoint_from_json(self._call("POST", "endpoints/create", body)["endpoint"])

    def get_endpoint(
        self, endpoint_id: str | None = None, name: str | None = None
    ) -> GatewayEndpoint:
        """One endpoint."""
        body = _given(endpoint_id=endpoint_id, name=name)
        return gj.endpoint_from_json(self._call("GET", "endpoints/get", body)["endpoint"])

    def list_endpoints(
        self, provider: str | None = None, secret_id: str | None = None
    ) -> list[GatewayEndpoint]:
        """Endpoints."""
        out = self._call("GET", "endpoints/list", _given(provider=provider, secret_id=secret_id))
        return [gj.endpoint_from_json(e) for e in out.get("endpoints") or []]

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
        """Change the given fields."""
        body = self._endpoint_body(
            model_configs, routing_strategy, fallback_strategy, fallback_max_attempts, options
        )
        body.update(
            _given(
                endpoint_id=endpoint_id,
                name=name,
                experiment_id=experiment_id,
                usage_tracking=usage_tracking,
                updated_by=updated_by,
            )
        )
        return gj.endpoint_from_json(self._call("POST", "endpoints/update", body)["endpoint"])

    def delete_endpoint(self, endpoint_id: str) -> None:
        """Delete an endpoint."""
        self._call("DELETE", "endpoints/delete", {"endpoint_id": endpoint_id})

    def attach_model(
        self, endpoint_id: str, config: ModelConfig, created_by: str | None = None
    ) -> ModelMapping:
        """Map one more definition."""
        body = _given(endpoint_id=endpoint_id, model_config=_config(config), created_by=created_by)
        return gj.mapping_from_json(self._call("POST", "endpoints/models/attach", body)["mapping"])

    def detach_model(self, endpoint_id: str, model_definition_id: str) -> None:
        """Remove a definition's mappings."""
        body = {"endpoint_id": endpoint_id, "model_definition_id": model_definition_id}
        self._call("POST", "endpoints/models/detach", body)

    def set_endpoint_tag(self, endpoint_id: str, key: str, value: str) -> None:
        """Set a tag."""
        self._call(
            "POST", "endpoints/set-tag", {"endpoint_id": endpoint_id, "key": key, "value": value}
        )

    def delete_endpoint_tag(self, endpoint_id: str, key: str) -> None:
        """Delete a tag."""
        self._call("DELETE", "endpoints/delete-tag", {"endpoint_id": endpoint_id, "key": key})

    def create_binding(
        self,
        endpoint_id: str,
        resource_type: str,
        resource_id: str,
        created_by: str | None = None,
    ) -> EndpointBinding:
        """Bind a resource to an endpoint."""
        body = _given(
            endpoint_id=endpoint_id,
            resource_type=resource_type,
            resource_id=resource_id,
            created_by=created_by,
        )
        out = self._call("POST", "endpoints/bindings/create", body)
        return gj.binding_from_json(out["binding"])

    def delete_binding(self, endpoint_id: str, resource_type: str, resource_id: str) -> None:
        """Remove a binding."""
        body = {
            "endpoint_id": endpoint_id,
            "resource_type": resource_type,
            "resource_id": resource_id,
        }
        self._call("DELETE", "endpoints/bindings/delete", body)

    def list_bindings(
        self,
        endpoint_id: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> list[EndpointBinding]:
        """Bindings matching the filters."""
        body = _given(endpoint_id=endpoint_id, resource_type=resource_type, resource_id=resource_id)
        out = self._call("GET", "endpoints/bindings/list", body)
        return [gj.binding_from_json(b) for b in out.get("bindings") or []]

    # -- budgets ------------------------------------------------------------------------------

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
        body = _given(
            budget_amount=budget_amount,
            duration={"unit": duration_unit, "value": duration_value},
            target_scope=target_scope,
            budget_action=budget_action,
            budget_unit=budget_unit,
            target_value=target_value,
            created_by=created_by,
        )
        out = self._call("POST", "budgets/create", body)
        return gj.budget_from_json(out["budget_policy"])

    def get_budget_policy(self, budget_policy_id: str) -> GatewayBudgetPolicy:
        """One budget policy."""
        out = self._call("GET", "budgets/get", {"budget_policy_id": budget_policy_id})
        return gj.budget_from_json(out["budget_policy"])

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
        duration = _given(unit=duration_unit, value=duration_value)
        body = _given(
            budget_policy_id=budget_policy_id,
            budget_amount=budget_amount,
            duration=duration or None,
            target_scope=target_scope,
            budget_action=budget_action,
            budget_unit=budget_unit,
            target_value=target_value,
            updated_by=updated_by,
        )
        out = self._call("POST", "budgets/update", body)
        return gj.budget_from_json(out["budget_policy"])

    def delete_budget_policy(self, budget_policy_id: str) -> None:
        """Delete a budget policy."""
        self._call("DELETE", "budgets/delete", {"budget_policy_id": budget_policy_id})

    def list_budget_policies(
        self, max_results: int = 100, page_token: str | None = None
    ) -> PagedList[GatewayBudgetPolicy]:
        """Budget policies."""
        body = _given(max_results=max_results, page_token=page_token)
        out = self._call("GET", "budgets/list", body)
        items = [gj.budget_from_json(p) for p in out.get("budget_policies") or []]
        return PagedList(items, out.get("next_page_token") or None)

    # -- guardrails ---------------------------------------------------------------------------

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
        """A new guardrail."""
        body = _given(
            name=name,
            scorer_id=scorer_id,
            stage=stage,
            action=action,
            scorer_version=scorer_version,
            action_endpoint_id=action_endpoint_id,
            config=dict(config) if config is not None else None,
        )
        return gj.guardrail_from_json(self._call("POST", "guardrails/create", body)["guardrail"])

    def set_guardrail_config(
        self, guardrail_id: str, config: Mapping[str, Any], updated_by: str | None = None
    ) -> GatewayGuardrail:
        """Replace a guardrail's ``config`` (Ardea's ``guardrails/update``)."""
        body = {"guardrail_id": guardrail_id, "config": dict(config)}
        out = self._call("PATCH", "guardrails/update", body)
        return gj.guardrail_from_json(out["guardrail"])

    def get_guardrail(self, guardrail_id: str) -> GatewayGuardrail:
        """One guardrail."""
        out = self._call("GET", "guardrails/get", {"guardrail_id": guardrail_id})
        return gj.guardrail_from_json(out["guardrail"])

    def delete_guardrail(self, guardrail_id: str) -> None:
        """Delete a guardrail."""
        self._call("DELETE", "guardrails/delete", {"guardrail_id": guardrail_id})

    def list_guardrails(
        self, max_results: int = 100, page_token: str | None = None
    ) -> PagedList[GatewayGuardrail]:
        """Guardrails."""
        out = self._call(
            "GET", "guardrails/list", _given(max_results=max_results, page_token=page_token)
        )
        items = [gj.guardrail_from_json(g) for g in out.get("guardrails") or []]
        return PagedList(items, out.get("next_page_token") or None)

    def add_guardrail_to_endpoint(
        self,
        endpoint_id: str,
        guardrail_id: str,
        execution_order: int | None = None,
        created_by: str | None = None,
    ) -> EndpointGuardrailConfig:
        """Attach a guardrail to an endpoint."""
        body = _given(
            endpoint_id=endpoint_id, guardrail_id=guardrail_id, execution_order=execution_order
        )
        out = self._call("POST", "guardrails/add-to-endpoint", body)
        return gj.guardrail_config_from_json(out["config"])

    def remove_guardrail_from_endpoint(self, endpoint_id: str, guardrail_id: str) -> None:
        """Detach a guardrail."""
        body = {"endpoint_id": endpoint_id, "guardrail_id": guardrail_id}
        self._call("DELETE", "guardrails/remove-from-endpoint", body)

    def list_endpoint_guardrails(self, endpoint_id: str) -> list[EndpointGuardrailConfig]:
        """An endpoint's guardrails in execution order."""
        out = self._call("GET", "guardrails/list-for-endpoint", {"endpoint_id": endpoint_id})
        return [gj.guardrail_config_from_json(c) for c in out.get("configs") or []]

    def update_endpoint_guardrail(
        self, endpoint_id: str, guardrail_id: str, execution_order: int | None
    ) -> EndpointGuardrailConfig:
        """Move a guardrail in an endpoint's execution order."""
        body = _given(
            endpoint_id=endpoint_id, guardrail_id=guardrail_id, execution_order=execution_order
        )
        out = self._call("PATCH", "guardrails/update-config", body)
        return gj.guardrail_config_from_json(out["config"])
