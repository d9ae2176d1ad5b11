"""Gateway budget policies, guardrails and the UI's provider helpers (MLFLOW-WIRE.md 12.2).

Mounted under ``/api/3.0`` and ``/ajax-api/3.0`` (``/mlflow/gateway/...``), ids ``bp-`` and
``gr-``. Budgets and guardrails are workspace-wide settings: on a server with ``--auth``
only workspace admins read or change them, except an endpoint's guardrail list (READ on the
endpoint) and attaching or moving one on an endpoint (MANAGE on the endpoint, and the
guardrail must be in the workspace). The provider helpers (any signed-in caller) describe
what :mod:`ardea.llm` can reach: ``supported-providers``, ``supported-models?provider=``
(from the price table), ``provider-config?provider=`` and ``secrets/config``.
``budgets/windows`` answers each budget's current window and spend (the gateway's counters).
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.env import ARDEA_SECRET_KEY, MLFLOW_CRYPTO_KEK_PASSPHRASE
from ardea._core.errors import InvalidArgumentError, NotFoundError, PermissionDeniedError
from ardea.api import mlflow_gateway_requests as rq
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas import gateway as sc
from ardea.api.schemas.common import EmptyResponse
from ardea.entities.auth import ResourceType
from ardea.entities.workspace import DEFAULT_WORKSPACE
from ardea.gateway.limits.patterns import PATTERNS_SCORER_ID
from ardea.server import access_targets as at
from ardea.server.access import AUTHENTICATED, MANAGE, READ, Access, create, on
from ardea.server.authz import caller_user
from ardea.server.deps import backend, runtime, workspace
from ardea.server.gateway_guard import check_guardrail_config, check_guardrail_scorer
from ardea.server.http import call, empty, json_response, parse_get, parse_json, rpc
from ardea.server.openapi_responses import LOOKUP_ERRORS
from ardea.store.gateway import GatewayStore

__all__ = ["router", "ui_router"]

router = APIRouter()
"""Gateway budget and guardrail routes."""

ui_router = APIRouter()
"""The UI's provider helpers (mounted under ``/ajax-api/3.0`` only, as MLflow)."""

_P = "/mlflow/gateway"
_ADMINS: Access = create(
    at.workspace_target(ResourceType.GATEWAY_ENDPOINT),
    at.created_nothing,
    "gateway policy (workspace admins)",
)
_ENDPOINT = at.gateway_endpoint()
_PROVIDER_Q = RequestSpec("GatewayProvider", {"provider": Field("string")})
_NOTHING = RequestSpec("ListBudgetWindows", {})


def _store(request: Request) -> GatewayStore:
    return backend(request).gateway


def _enum(value: str | None) -> str | None:
    return None if value is None or value.endswith("_UNSPECIFIED") else value


def _page_size(value: int | None) -> int:
    return value or 100


# -- budgets ----------------------------------------------------------------------------------


def _budget_fields(req: dict[str, Any]) -> dict[str, Any]:
    duration = req["duration"] or {}
    return {
        "budget_amount": req["budget_amount"],
        "duration_unit": _enum(duration.get("unit")),
        "duration_value": duration.get("value"),
        "target_scope": _enum(req["target_scope"]),
        "budget_action": _enum(req["budget_action"]),
        "budget_unit": _enum(req["budget_unit"]),
        "target_value": req["target_value"] or None,
    }


@rpc(
    router,
    _P + "/budgets/create",
    "POST",
    access=_ADMINS,
    response=sc.BudgetPolicyResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.CREATE_BUDGET,
)
async def create_budget(request: Request) -> Response:
    """CreateGatewayBudgetPolicy -> ``{budget_policy}`` (``budget_unit`` defaults to USD)."""
    req = await parse_json(request, rq.CREATE_BUDGET)
    f = _budget_fields(req)
    made = await call(
        _store(request).create_budget_policy,
        f["budget_amount"],
        f["duration_unit"],
        f["duration_value"],
        f["target_scope"],
        f["budget_action"],
        budget_unit=f["budget_unit"] or "USD",
        target_value=f["target_value"],
        created_by=req["created_by"] or None,
    )
    return json_response({"budget_policy": made.to_dict()})


@rpc(
    router,
    _P + "/budgets/get",
    "GET",
    access=_ADMINS,
    response=sc.BudgetPolicyResponse,
    spec=rq.BUDGET_ID,
)
async def get_budget(request: Request) -> Response:
    """GetGatewayBudgetPolicy -> ``{budget_policy}``."""
    req = parse_get(request, rq.BUDGET_ID)
    found = await call(_store(request).get_budget_policy, req["budget_policy_id"])
    return json_response({"budget_policy": found.to_dict()})


@rpc(
    router,
    _P + "/budgets/update",
    "POST",
    access=_ADMINS,
    response=sc.BudgetPolicyResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.UPDATE_BUDGET,
)
async def update_budget(request: Request) -> Response:
    """UpdateGatewayBudgetPolicy -> ``{budget_policy}`` (the given fields change)."""
    req = await parse_json(request, rq.UPDATE_BUDGET)
    made = await call(
        _store(request).update_budget_policy,
        req["budget_policy_id"],
        **_budget_fields(req),
        updated_by=req["updated_by"] or None,
    )
    return json_response({"budget_policy": made.to_dict()})


@rpc(
    router,
    _P + "/budgets/delete",
    "DELETE",
    access=_ADMINS,
    response=EmptyResponse,
    spec=rq.BUDGET_ID,
)
async def delete_budget(request: Request) -> Response:
    """DeleteGatewayBudgetPolicy -> ``{}``."""
    req = await parse_json(request, rq.BUDGET_ID)
    await call(_store(request).delete_budget_policy, req["budget_policy_id"])
    return empty()


@rpc(
    router,
    _P + "/budgets/list",
    "GET",
    access=_ADMINS,
    response=sc.BudgetPoliciesResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.PAGE,
)
async def list_budgets(request: Request) -> Response:
    """ListGatewayBudgetPolicies -> ``{budget_policies, next_page_token}``, oldest first."""
    req = parse_get(request, rq.PAGE)
    page = await call(
        _store(request).list_budget_policies, _page_size(req["max_results"]), req["page_token"]
    )
    out: dict[str, Any] = {"budget_policies": [p.to_dict() for p in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    _P + "/budgets/windows",
    "GET",
    access=_ADMINS,
    response=sc.WindowsResponse,
    spec=_NOTHING,
)
async def list_budget_windows(request: Request) -> Response:
    """ListBudgetWindows -> ``{windows}``: the current window of each budget of the workspace.

    MLflow's fields (``budget_policy_id``, ``window_start_ms``, ``window_end_ms``,
    ``current_spend`` in USD) plus Ardea's ``budget_amount`` and ``exceeded``; a per-user or
    per-key policy (``USER``/``KEY`` without ``target_value``) reports no shared window.
    Empty when the server has no gateway.
    """
    gateway = runtime(request).gateway
    guard = getattr(gateway, "guard", None)
    if guard is None:
        return json_response({"windows": []})
    from ardea.server.gateway_guard import budget_policies

    scoped = backend(request)

    def windows() -> list[dict[str, Any]]:
        policies = budget_policies(scoped, scoped.workspace)
        return [
            {
                "budget_policy_id": w["budget_policy_id"],
                "window_start_ms": w["window_start"],
                "window_end_ms": w["window_end"],
                "current_spend": w["current_spend"],
                "budget_amount": w["budget_amount"],
                "exceeded": w["exceeded"],
            }
            for w in guard.limits.budgets.windows(policies)
        ]

    return json_response({"windows": await call(windows)})


# -- guardrails -------------------------------------------------------------------------------


@rpc(
    router,
    _P + "/guardrails/create",
    "POST",
    access=_ADMINS,
    response=sc.GuardrailResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.CREATE_GUARDRAIL,
)
async def create_guardrail(request: Request) -> Response:
    """CreateGatewayGuardrail -> ``{guardrail}``.

    ``scorer_id`` names a registered judge scorer, Ardea's built-in PII detectors
    (``ardea:pii:email,credit_card``), or ``ardea:patterns`` with Ardea's ``config``
    (``{patterns: {name: RE2 expression}, pii: [detector]}``). A code scorer (it would run
    user code in the server), an unknown detector or a bad pattern is refused with a 400.
    """
    req = await parse_json(request, rq.CREATE_GUARDRAIL)
    scorer_id = req["scorer_id"]
    config = None
    if req["config"] is not None or scorer_id == PATTERNS_SCORER_ID:
        config = check_guardrail_config(scorer_id, req["config"])
    await call(check_guardrail_scorer, backend(request), scorer_id, req["scorer_version"])
    made = await call(
        _store(request).create_guardrail,
        req["name"],
        scorer_id,
        _enum(req["stage"]),
        _enum(req["action"]),
        scorer_version=req["scorer_version"] or None,
        action_endpoint_id=req["action_endpoint_id"] or None,
        config=config,
    )
    return json_response({"guardrail": made.to_dict()})


@rpc(
    router,
    _P + "/guardrails/update",
    "PATCH",
    access=_ADMINS,
    response=sc.GuardrailResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.UPDATE_GUARDRAIL,
)
async def update_guardrail(request: Request) -> Response:
    """Ardea: replace a pattern guardrail's ``config`` -> ``{guardrail}``.

    Every endpoint it is attached to uses the new config from its next call.
    """
    req = await parse_json(request, rq.UPDATE_GUARDRAIL)
    made = await _set_config(request, req["guardrail_id"], req["config"])
    return json_response({"guardrail": made.to_dict()})


async def _set_config(request: Request, guardrail_id: str, given: dict[str, Any]) -> Any:
    """Validate ``given`` against the guardrail's kind, then store it (400 on a bad one)."""
    store = _store(request)
    found = await call(store.get_guardrail, guardrail_id)
    config = check_guardrail_config(found.scorer_id, given)
    return await call(store.set_guardrail_config, guardrail_id, config, _who(request))


@rpc(
    router,
    _P + "/guardrails/get",
    "GET",
    access=_ADMINS,
    response=sc.GuardrailResponse,
    spec=rq.GUARDRAIL_ID,
)
async def get_guardrail(request: Request) -> Response:
    """GetGatewayGuardrail -> ``{guardrail}``."""
    req = parse_get(request, rq.GUARDRAIL_ID)
    found = await call(_store(request).get_guardrail, req["guardrail_id"])
    return json_response({"guardrail": found.to_dict()})


@rpc(
    router,
    _P + "/guardrails/delete",
    "DELETE",
    access=_ADMINS,
    response=EmptyResponse,
    spec=rq.GUARDRAIL_ID,
)
async def delete_guardrail(request: Request) -> Response:
    """DeleteGatewayGuardrail -> ``{}`` (and its endpoint links)."""
    req = await parse_json(request, rq.GUARDRAIL_ID)
    await call(_store(request).delete_guardrail, req["guardrail_id"])
    return empty()


@rpc(
    router,
    _P + "/guardrails/list",
    "GET",
    access=_ADMINS,
    response=sc.GuardrailsResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.PAGE,
)
async def list_guardrails(request: Request) -> Response:
    """ListGatewayGuardrails -> ``{guardrails, next_page_token}``, by name."""
    req = parse_get(request, rq.PAGE)
    page = await call(
        _store(request).list_guardrails, _page_size(req["max_results"]), req["page_token"]
    )
    out: dict[str, Any] = {"guardrails": [g.to_dict() for g in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    _P + "/guardrails/add-to-endpoint",
    "POST",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint"),
    response=sc.GuardrailConfigResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.ADD_GUARDRAIL,
)
async def add_guardrail(request: Request) -> Response:
    """AddGuardrailToEndpoint -> ``{config}``."""
    req = await parse_json(request, rq.ADD_GUARDRAIL)
    made = await call(
        _store(request).add_guardrail_to_endpoint,
        req["endpoint_id"],
        req["guardrail_id"],
        req["execution_order"],
    )
    return json_response({"config": made.to_dict()})


@rpc(
    router,
    _P + "/guardrails/remove-from-endpoint",
    "DELETE",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint"),
    response=EmptyResponse,
    spec=rq.REMOVE_GUARDRAIL,
)
async def remove_guardrail(request: Request) -> Response:
    """RemoveGuardrailFromEndpoint -> ``{}``."""
    req = await parse_json(request, rq.REMOVE_GUARDRAIL)
    await call(
        _store(request).remove_guardrail_from_endpoint, req["endpoint_id"], req["guardrail_id"]
    )
    return empty()


@rpc(
    router,
    _P + "/guardrails/list-for-endpoint",
    "GET",
    access=on(READ, _ENDPOINT, "gateway endpoint"),
    response=sc.GuardrailConfigsResponse,
    spec=rq.ENDPOINT_ID,
)
async def list_endpoint_guardrails(request: Request) -> Response:
    """ListEndpointGuardrailConfigs -> ``{configs}`` in execution order."""
    req = parse_get(request, rq.ENDPOINT_ID)
    found = await call(_store(request).list_endpoint_guardrails, req["endpoint_id"])
    return json_response({"configs": [c.to_dict() for c in found]})


@rpc(
    router,
    _P + "/guardrails/update-config",
    "PATCH",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint"),
    response=sc.GuardrailConfigResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.UPDATE_GUARDRAIL_CONFIG,
)
async def update_guardrail_config(request: Request) -> Response:
    """UpdateEndpointGuardrailConfig -> ``{config}``.

    Ardea: with ``config``, also replaces the (attached) pattern guardrail's config, which
    needs a workspace admin as guardrails are workspace-wide; ``execution_order`` is then
    changed only when given. Everything is checked before anything is stored.
    """
    req = await parse_json(request, rq.UPDATE_GUARDRAIL_CONFIG)
    store = _store(request)
    endpoint_id, guardrail_id = req["endpoint_id"], req["guardrail_id"]
    if req["config"] is None:
        made = await call(
            store.update_endpoint_guardrail, endpoint_id, guardrail_id, req["execution_order"]
        )
        return json_response({"config": made.to_dict()})
    await _workspace_admin(request)
    links = await call(store.list_endpoint_guardrails, endpoint_id)
    link = next((c for c in links if c.guardrail.guardrail_id == guardrail_id), None)
    if link is None:
        raise NotFoundError(f"Guardrail {guardrail_id} is not attached to endpoint {endpoint_id}")
    check_guardrail_config(link.guardrail.scorer_id, req["config"])
    if req["execution_order"] is not None:
        link = await call(
            store.update_endpoint_guardrail, endpoint_id, guardrail_id, req["execution_order"]
        )
    guardrail = await _set_config(request, guardrail_id, req["config"])
    out = link.to_dict()
    out["guardrail"] = guardrail.to_dict()
    return json_response({"config": out})


def _who(request: Request) -> str | None:
    user = caller_user(request)
    return user.username if user is not None else None


async def _workspace_admin(request: Request) -> None:
    """Refuse (403) a caller that is not a workspace admin (with ``--auth``)."""
    auth = runtime(request).auth
    user = caller_user(request)
    if auth is None or user is None:
        return
    ws = workspace(request) or DEFAULT_WORKSPACE
    if not await call(auth.policy.is_workspace_admin, user, ws):
        raise PermissionDeniedError(
            "Permission denied: changing a guardrail's config needs a workspace admin."
        )


# -- provider helpers (the UI's) --------------------------------------------------------------


def _mode_of(model: str) -> str:
    return "embedding" if "embed" in model else "chat"


def _provider_names() -> list[str]:
    from ardea.llm.uri import PROVIDERS

    return sorted(PROVIDERS)


@rpc(
    ui_router,
    _P + "/supported-providers",
    "GET",
    access=AUTHENTICATED,
    response=sc.ProvidersResponse,
    spec=_NOTHING,
)
async def supported_providers(request: Request) -> Response:
    """``{providers}``: the provider names a model definition may use."""
    return json_response({"providers": _provider_names()})


@rpc(
    ui_router,
    _P + "/supported-models",
    "GET",
    access=AUTHENTICATED,
    response=sc.ModelsResponse,
    spec=_PROVIDER_Q,
)
async def supported_models(request: Request) -> Response:
    """``{models: [{model, provider, mode}]}`` from the price table (optionally one provider's).

    ``mode`` is ``embedding`` for embedding models, else ``chat``.
    """
    import json
    from importlib import resources

    from ardea.llm.uri import provider_spec

    def canonical(name: str) -> str:
        spec = provider_spec(name)
        return spec.name if spec is not None else name

    req = parse_get(request, _PROVIDER_Q)
    table = json.loads(resources.files("ardea.llm").joinpath("prices.json").read_text())
    wanted = canonical(req["provider"]) if req["provider"] else None
    models = [
        {"model": model, "provider": canonical(provider), "mode": _mode_of(model)}
        for provider, section in sorted(table.get("providers", {}).items())
        if wanted is None or canonical(provider) == wanted
        for model in sorted(section.get("models", {}))
        if not model.startswith("ft:")
    ]
    return json_response({"models": models})


@rpc(
    ui_router,
    _P + "/provider-config",
    "GET",
    access=AUTHENTICATED,
    response=sc.ProviderConfigResponse,
    errors=LOOKUP_ERRORS,
    spec=_PROVIDER_Q,
)
async def provider_config(request: Request) -> Response:
    """How to fill in a provider's secret: its auth modes (secret and config fields).

    An unknown provider gets the generic form (an API key and a base URL), as MLflow's does;
    Bedrock has three modes (an API key, access keys, an IAM role).
    """
    from ardea.llm.uri import provider_spec

    req = parse_get(request, _PROVIDER_Q)
    if not req["provider"]:
        raise InvalidArgumentError("Provider parameter is required")
    spec = provider_spec(req["provider"])
    needs_key = spec.needs_key if spec is not None else True
    needs_base = spec is None or spec.base_url is None
    modes: list[dict[str, Any]] = [
        _mode("api_key", "API Key", [("api_key", needs_key)], [("api_base", needs_base)])
    ]
    if spec is not None and spec.name == "bedrock":
        region = ("aws_region_name", True)
        modes += [
            _mode(
                "access_keys",
                "Access Keys",
                [("aws_access_key_id", True), ("aws_secret_access_key", True)],
                [region],
            ),
            _mode("iam_role", "IAM Role", [], [("aws_role_name", True), region]),
        ]
    env = spec.key_env if spec is not None else ()
    return json_response(
        {
            "auth_modes": modes,
            "default_mode": "api_key",
            "env_credentials_available": any(os.environ.get(v) for v in env),
        }
    )


def _mode(
    mode: str,
    label: str,
    secrets: list[tuple[str, bool]],
    config: list[tuple[str, bool]],
) -> dict[str, Any]:
    return {
        "mode": mode,
        "display_name": label,
        "secret_fields": [{"name": n, "required": r} for n, r in secrets],
        "config_fields": [{"name": n, "required": r} for n, r in config],
    }


@rpc(
    ui_router,
    _P + "/secrets/config",
    "GET",
    access=AUTHENTICATED,
    response=sc.SecretsConfigResponse,
    spec=_NOTHING,
)
async def secrets_config(request: Request) -> Response:
    """``{secrets_available, using_default_passphrase}`` (Ardea has no default passphrase)."""
    configured = bool(
        os.environ.get(ARDEA_SECRET_KEY) or os.environ.get(MLFLOW_CRYPTO_KEK_PASSPHRASE)
    )
    database = getattr(backend(request).tracking, "database", None)
    available = configured or bool(getattr(database, "is_sqlite", False))
    return json_response({"secrets_available": available, "using_default_passphrase": False})
