"""Gateway management RPCs: secrets, model definitions, endpoints (MLFLOW-WIRE.md 12.2).

Mounted under ``/api/3.0`` and ``/ajax-api/3.0`` (``/mlflow/gateway/...``), with MLflow's
field names, ids (``s-``, ``d-``, ``e-``) and error envelope. A secret's values are taken on
create and update and never answered: every answer shows ``masked_values`` only.

Access (a server with ``--auth``): creating a secret, a model definition or an endpoint needs
a workspace admin (:data:`ardea.auth.policy.ADMIN_CREATED`), who gets MANAGE on it; reading
one needs READ on it, changing or deleting it MANAGE; lists show what the caller may read.
Callers of an endpoint need USE on it (the request path asks).

Ardea extension: ``endpoint_type`` on create/update (``llm/v1/chat`` by default; MLflow's
endpoints are chat endpoints). An endpoint created with ``usage_tracking`` and no
``experiment_id`` gets the experiment ``gateway/<name>`` (created if missing), as MLflow.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea.api import mlflow_gateway_requests as rq
from ardea.api.schemas import gateway as sc
from ardea.api.schemas.common import EmptyResponse
from ardea.entities.auth import ResourceType
from ardea.entities.gateway import ModelConfig
from ardea.gateway.limits.records import LIMITS_TAG, rate_limits_of
from ardea.server import access_targets as at
from ardea.server.access import MANAGE, READ, create, on, search
from ardea.server.authz import caller_user
from ardea.server.deps import backend
from ardea.server.http import call, empty, json_response, parse_get, parse_json, rpc
from ardea.server.openapi_responses import LOOKUP_ERRORS
from ardea.store.gateway import GatewayStore

__all__ = ["router"]

router = APIRouter()
"""Gateway management routes (secrets, model definitions, endpoints)."""

_P = "/mlflow/gateway"
_SECRET = at.gateway_secret()
_DEFINITION = at.gateway_model_definition()
_ENDPOINT = at.gateway_endpoint()


def _store(request: Request) -> GatewayStore:
    return backend(request).gateway


def _who(request: Request, given: str | None) -> str | None:
    if given:
        return given
    user = caller_user(request)
    return user.username if user is not None else None


def _admins(rtype: ResourceType, key: str, id_field: str, what: str) -> Any:
    return create(
        at.workspace_target(rtype),
        at.created_gateway(rtype, key, id_field),
        f"{what} (workspace admins)",
    )


# -- secrets ----------------------------------------------------------------------------------


@rpc(
    router,
    _P + "/secrets/create",
    "POST",
    access=_admins(ResourceType.GATEWAY_SECRET, "secret", "secret_id", "gateway secret"),
    response=sc.SecretResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.CREATE_SECRET,
)
async def create_secret(request: Request) -> Response:
    """CreateGatewaySecret -> ``{secret}`` (masked); a taken name: 400 ALREADY_EXISTS."""
    req = await parse_json(request, rq.CREATE_SECRET)
    made = await call(
        _store(request).create_secret,
        req["secret_name"],
        req["secret_value"],
        req["provider"] or None,
        req["auth_config"] or None,
        _who(request, req["created_by"]),
    )
    return json_response({"secret": made.to_dict()})


@rpc(
    router,
    _P + "/secrets/get",
    "GET",
    access=on(READ, at.gateway_secret(name_field="secret_name"), "gateway secret"),
    response=sc.SecretResponse,
    spec=rq.GET_SECRET,
)
async def get_secret(request: Request) -> Response:
    """GetGatewaySecretInfo (by ``secret_id`` or ``secret_name``) -> ``{secret}`` (masked)."""
    req = parse_get(request, rq.GET_SECRET)
    found = await call(
        _store(request).get_secret, req["secret_id"] or None, req["secret_name"] or None
    )
    return json_response({"secret": found.to_dict()})


@rpc(
    router,
    _P + "/secrets/update",
    "POST",
    access=on(MANAGE, _SECRET, "gateway secret"),
    response=sc.SecretResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.UPDATE_SECRET,
)
async def update_secret(request: Request) -> Response:
    """UpdateGatewaySecret -> ``{secret}``; an empty map leaves that part as it is."""
    req = await parse_json(request, rq.UPDATE_SECRET)
    made = await call(
        _store(request).update_secret,
        req["secret_id"],
        req["secret_value"] or None,
        req["auth_config"] or None,
        _who(request, req["updated_by"]),
    )
    return json_response({"secret": made.to_dict()})


@rpc(
    router,
    _P + "/secrets/delete",
    "DELETE",
    access=on(MANAGE, _SECRET, "gateway secret", after=at.drop_grants),
    response=EmptyResponse,
    spec=rq.SECRET_ID,
)
async def delete_secret(request: Request) -> Response:
    """DeleteGatewaySecret -> ``{}`` (definitions using it are left without a secret)."""
    req = await parse_json(request, rq.SECRET_ID)
    await call(_store(request).delete_secret, req["secret_id"])
    return empty()


@rpc(
    router,
    _P + "/secrets/list",
    "GET",
    access=search(ResourceType.GATEWAY_SECRET),
    response=sc.SecretsResponse,
    spec=rq.PROVIDER,
)
async def list_secrets(request: Request) -> Response:
    """ListGatewaySecretInfos -> ``{secrets}`` (masked), optionally of one ``provider``."""
    req = parse_get(request, rq.PROVIDER)
    found = await call(_store(request).list_secrets, req["provider"] or None)
    return json_response({"secrets": [s.to_dict() for s in found]})


# -- model definitions ------------------------------------------------------------------------


@rpc(
    router,
    _P + "/model-definitions/create",
    "POST",
    access=_admins(
        ResourceType.GATEWAY_MODEL_DEFINITION,
        "model_definition",
        "model_definition_id",
        "gateway model definition",
    ),
    response=sc.ModelDefinitionResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.CREATE_DEFINITION,
)
async def create_model_definition(request: Request) -> Response:
    """CreateGatewayModelDefinition -> ``{model_definition}``."""
    req = await parse_json(request, rq.CREATE_DEFINITION)
    made = await call(
        _store(request).create_model_definition,
        req["name"],
        req["provider"],
        req["model_name"],
        req["secret_id"] or None,
        _who(request, req["created_by"]),
    )
    return json_response({"model_definition": made.to_dict()})


@rpc(
    router,
    _P + "/model-definitions/get",
    "GET",
    access=on(READ, _DEFINITION, "gateway model definition"),
    response=sc.ModelDefinitionResponse,
    spec=rq.DEFINITION_ID,
)
async def get_model_definition(request: Request) -> Response:
    """GetGatewayModelDefinition -> ``{model_definition}``."""
    req = parse_get(request, rq.DEFINITION_ID)
    found = await call(_store(request).get_model_definition, req["model_definition_id"])
    return json_response({"model_definition": found.to_dict()})


@rpc(
    router,
    _P + "/model-definitions/list",
    "GET",
    access=search(ResourceType.GATEWAY_MODEL_DEFINITION),
    response=sc.ModelDefinitionsResponse,
    spec=rq.LIST_FILTER,
)
async def list_model_definitions(request: Request) -> Response:
    """ListGatewayModelDefinitions -> ``{model_definitions}`` (filters: provider, secret_id)."""
    req = parse_get(request, rq.LIST_FILTER)
    found = await call(
        _store(request).list_model_definitions, req["provider"] or None, req["secret_id"] or None
    )
    return json_response({"model_definitions": [d.to_dict() for d in found]})


@rpc(
    router,
    _P + "/model-definitions/update",
    "POST",
    access=on(MANAGE, _DEFINITION, "gateway model definition"),
    response=sc.ModelDefinitionResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.UPDATE_DEFINITION,
)
async def update_model_definition(request: Request) -> Response:
    """UpdateGatewayModelDefinition -> ``{model_definition}``."""
    req = await parse_json(request, rq.UPDATE_DEFINITION)
    made = await call(
        _store(request).update_model_definition,
        req["model_definition_id"],
        req["name"] or None,
        req["secret_id"] or None,
        req["model_name"] or None,
        req["provider"] or None,
        _who(request, req["updated_by"]),
    )
    return json_response({"model_definition": made.to_dict()})


@rpc(
    router,
    _P + "/model-definitions/delete",
    "DELETE",
    access=on(MANAGE, _DEFINITION, "gateway model definition", after=at.drop_grants),
    response=EmptyResponse,
    spec=rq.DEFINITION_ID,
)
async def delete_model_definition(request: Request) -> Response:
    """DeleteGatewayModelDefinition -> ``{}``; still mapped by an endpoint: 400 INVALID_STATE."""
    req = await parse_json(request, rq.DEFINITION_ID)
    await call(_store(request).delete_model_definition, req["model_definition_id"])
    return empty()


# -- endpoints --------------------------------------------------------------------------------


def _configs(raw: list[dict[str, Any]]) -> list[ModelConfig]:
    return [
        ModelConfig(
            model_definition_id=c["model_definition_id"],
            linkage_type=c["linkage_type"]
            if c["linkage_type"] not in (None, "LINKAGE_TYPE_UNSPECIFIED")
            else "PRIMARY",
            weight=c["weight"] if c["weight"] is not None else 1.0,
            fallback_order=c["fallback_order"],
        )
        for c in raw
    ]


def _enum(value: str | None) -> str | None:
    return None if value is None or value.endswith("_UNSPECIFIED") else value


def _fallback(req: dict[str, Any]) -> tuple[str | None, int | None]:
    config = req["fallback_config"] or {}
    return _enum(config.get("strategy")), config.get("max_attempts") or None


async def _experiment_for(request: Request, name: str) -> str:
    """The id of experiment ``gateway/<name>``, created if missing (MLflow's default)."""
    tracking = backend(request).tracking
    title = f"gateway/{name}"
    try:
        found = await call(tracking.get_experiment_by_name, title)
        if found is not None:
            return str(found.experiment_id)
    except NotFoundError:
        pass
    try:
        return str(await call(tracking.create_experiment, title))
    except AlreadyExistsError:  # made meanwhile
        again = await call(tracking.get_experiment_by_name, title)
        return str(again.experiment_id)


@rpc(
    router,
    _P + "/endpoints/create",
    "POST",
    access=_admins(ResourceType.GATEWAY_ENDPOINT, "endpoint", "endpoint_id", "gateway endpoint"),
    response=sc.EndpointResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.CREATE_ENDPOINT,
)
async def create_endpoint(request: Request) -> Response:
    """CreateGatewayEndpoint -> ``{endpoint}`` with its model mappings."""
    req = await parse_json(request, rq.CREATE_ENDPOINT)
    store = _store(request)
    strategy, attempts = _fallback(req)
    usage = req["usage_tracking"] if req["usage_tracking"] is not None else True
    configs = _configs(req["model_configs"])
    experiment = req["experiment_id"] or None
    made = await call(
        store.create_endpoint,
        req["name"],
        configs,
        endpoint_type=req["endpoint_type"] or "llm/v1/chat",
        routing_strategy=_enum(req["routing_strategy"]),
        fallback_strategy=strategy,
        fallback_max_attempts=attempts,
        experiment_id=experiment,
        usage_tracking=usage,
        created_by=_who(request, req["created_by"]),
    )
    if usage and experiment is None:
        # Only once the endpoint is stored: a refused create leaves no experiment behind.
        experiment = await _experiment_for(request, made.name)
        made = await call(store.update_endpoint, made.endpoint_id, experiment_id=experiment)
    return json_response({"endpoint": made.to_dict()})


@rpc(
    router,
    _P + "/endpoints/get",
    "GET",
    access=on(READ, at.gateway_endpoint(name_field="name"), "gateway endpoint"),
    response=sc.EndpointResponse,
    spec=rq.GET_ENDPOINT,
)
async def get_endpoint(request: Request) -> Response:
    """GetGatewayEndpoint (by ``endpoint_id`` or ``name``) -> ``{endpoint}``."""
    req = parse_get(request, rq.GET_ENDPOINT)
    found = await call(
        _store(request).get_endpoint, req["endpoint_id"] or None, req["name"] or None
    )
    return json_response({"endpoint": found.to_dict()})


@rpc(
    router,
    _P + "/endpoints/update",
    "POST",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint"),
    response=sc.EndpointResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.UPDATE_ENDPOINT,
)
async def update_endpoint(request: Request) -> Response:
    """UpdateGatewayEndpoint -> ``{endpoint}``; ``model_configs`` replaces every mapping."""
    req = await parse_json(request, rq.UPDATE_ENDPOINT)
    strategy, attempts = _fallback(req)
    made = await call(
        _store(request).update_endpoint,
        req["endpoint_id"],
        name=req["name"] or None,
        model_configs=_configs(req["model_configs"]) or None,
        routing_strategy=_enum(req["routing_strategy"]),
        fallback_strategy=strategy,
        fallback_max_attempts=attempts,
        experiment_id=req["experiment_id"] or None,
        usage_tracking=req["usage_tracking"],
        updated_by=_who(request, req["updated_by"]),
    )
    return json_response({"endpoint": made.to_dict()})


@rpc(
    router,
    _P + "/endpoints/delete",
    "DELETE",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint", after=at.drop_grants),
    response=EmptyResponse,
    spec=rq.ENDPOINT_ID,
)
async def delete_endpoint(request: Request) -> Response:
    """DeleteGatewayEndpoint -> ``{}`` (its mappings, tags, bindings and guardrail links)."""
    req = await parse_json(request, rq.ENDPOINT_ID)
    await call(_store(request).delete_endpoint, req["endpoint_id"])
    return empty()


@rpc(
    router,
    _P + "/endpoints/list",
    "GET",
    access=search(ResourceType.GATEWAY_ENDPOINT),
    response=sc.EndpointsResponse,
    spec=rq.LIST_FILTER,
)
async def list_endpoints(request: Request) -> Response:
    """ListGatewayEndpoints -> ``{endpoints}`` (filters: provider, secret_id)."""
    req = parse_get(request, rq.LIST_FILTER)
    found = await call(
        _store(request).list_endpoints, req["provider"] or None, req["secret_id"] or None
    )
    return json_response({"endpoints": [e.to_dict() for e in found]})


@rpc(
    router,
    _P + "/endpoints/models/attach",
    "POST",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint"),
    response=sc.MappingResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.ATTACH_MODEL,
)
async def attach_model(request: Request) -> Response:
    """AttachModelToGatewayEndpoint -> ``{mapping}``."""
    req = await parse_json(request, rq.ATTACH_MODEL)
    (config,) = _configs([req["model_config"]])
    made = await call(
        _store(request).attach_model,
        req["endpoint_id"],
        config,
        _who(request, req["created_by"]),
    )
    return json_response({"mapping": made.to_dict()})


@rpc(
    router,
    _P + "/endpoints/models/detach",
    "POST",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint"),
    response=EmptyResponse,
    spec=rq.DETACH_MODEL,
)
async def detach_model(request: Request) -> Response:
    """DetachModelFromGatewayEndpoint -> ``{}``."""
    req = await parse_json(request, rq.DETACH_MODEL)
    await call(_store(request).detach_model, req["endpoint_id"], req["model_definition_id"])
    return empty()


@rpc(
    router,
    _P + "/endpoints/set-tag",
    "POST",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint"),
    response=EmptyResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.SET_TAG,
)
async def set_endpoint_tag(request: Request) -> Response:
    """SetGatewayEndpointTag -> ``{}``.

    The ``ardea.limits`` tag holds the endpoint's rate limits (a JSON list, see
    :mod:`ardea.gateway.limits.records`); a malformed value is refused with a 400.
    """
    req = await parse_json(request, rq.SET_TAG)
    if req["key"] == LIMITS_TAG:
        try:
            rate_limits_of(req["value"] or "")
        except ValueError as exc:
            raise InvalidArgumentError(str(exc)) from None
    await call(_store(request).set_endpoint_tag, req["endpoint_id"], req["key"], req["value"] or "")
    return empty()


@rpc(
    router,
    _P + "/endpoints/delete-tag",
    "DELETE",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint"),
    response=EmptyResponse,
    spec=rq.DELETE_TAG,
)
async def delete_endpoint_tag(request: Request) -> Response:
    """DeleteGatewayEndpointTag -> ``{}``."""
    req = await parse_json(request, rq.DELETE_TAG)
    await call(_store(request).delete_endpoint_tag, req["endpoint_id"], req["key"])
    return empty()


@rpc(
    router,
    _P + "/endpoints/bindings/create",
    "POST",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint"),
    response=sc.BindingResponse,
    errors=LOOKUP_ERRORS,
    spec=rq.BINDING,
)
async def create_binding(request: Request) -> Response:
    """CreateGatewayEndpointBinding -> ``{binding}``."""
    req = await parse_json(request, rq.BINDING)
    made = await call(
        _store(request).create_binding,
        req["endpoint_id"],
        req["resource_type"],
        req["resource_id"],
        _who(request, req["created_by"]),
    )
    return json_response({"binding": made.to_dict()})


@rpc(
    router,
    _P + "/endpoints/bindings/delete",
    "DELETE",
    access=on(MANAGE, _ENDPOINT, "gateway endpoint"),
    response=EmptyResponse,
    spec=rq.BINDING,
)
async def delete_binding(request: Request) -> Response:
    """DeleteGatewayEndpointBinding -> ``{}``."""
    req = await parse_json(request, rq.BINDING)
    await call(
        _store(request).delete_binding,
        req["endpoint_id"],
        req["resource_type"],
        req["resource_id"],
    )
    return empty()


@rpc(
    router,
    _P + "/endpoints/bindings/list",
    "GET",
    access=on(READ, at.gateway_endpoint(required=True), "gateway endpoint"),
    response=sc.BindingsResponse,
    spec=rq.LIST_BINDINGS,
)
async def list_bindings(request: Request) -> Response:
    """ListGatewayEndpointBindings -> ``{bindings}`` (admins may leave ``endpoint_id`` out)."""
    req = parse_get(request, rq.LIST_BINDINGS)
    found = await call(
        _store(request).list_bindings,
        req["endpoint_id"] or None,
        req["resource_type"] or None,
        req["resource_id"] or None,
    )
    return json_response({"bindings": [b.to_dict() for b in found]})
