"""Request messages of MLflow's gateway management RPCs (``service.proto``, section 12.2).

Maps (``secret_value``, ``auth_config``) are proto ``map<string, string>``: JSON objects of
strings. Enums take their names (or numbers, as protobuf's JSON parsing does).
"""

from __future__ import annotations

from ardea.api.request_parsing import Field, RequestSpec

__all__ = [
    "ADD_GUARDRAIL",
    "ATTACH_MODEL",
    "BINDING",
    "CREATE_BUDGET",
    "CREATE_DEFINITION",
    "CREATE_ENDPOINT",
    "CREATE_GUARDRAIL",
    "CREATE_SECRET",
    "DEFINITION_ID",
    "DELETE_TAG",
    "DETACH_MODEL",
    "ENDPOINT_ID",
    "GET_ENDPOINT",
    "GET_SECRET",
    "GUARDRAIL_ID",
    "GUARDRAIL_PATTERNS",
    "LIST_BINDINGS",
    "LIST_FILTER",
    "PAGE",
    "BUDGET_ID",
    "PROVIDER",
    "REMOVE_GUARDRAIL",
    "SECRET_ID",
    "SET_TAG",
    "UPDATE_BUDGET",
    "UPDATE_DEFINITION",
    "UPDATE_ENDPOINT",
    "UPDATE_GUARDRAIL",
    "UPDATE_GUARDRAIL_CONFIG",
    "UPDATE_SECRET",
]

_S = Field("string")
_REQ = Field("string", required=True)
_MAP = Field("map")
_INT = Field("int64")

LINKAGE = {"LINKAGE_TYPE_UNSPECIFIED": 0, "PRIMARY": 1, "FALLBACK": 2}
ROUTING = {"ROUTING_STRATEGY_UNSPECIFIED": 0, "REQUEST_BASED_TRAFFIC_SPLIT": 1}
FALLBACK = {"FALLBACK_STRATEGY_UNSPECIFIED": 0, "SEQUENTIAL": 1}
BUDGET_UNIT = {"BUDGET_UNIT_UNSPECIFIED": 0, "USD": 1}
DURATION_UNIT = {
    "DURATION_UNIT_UNSPECIFIED": 0,
    "MINUTES": 1,
    "HOURS": 2,
    "DAYS": 3,
    "WEEKS": 4,
    "MONTHS": 5,
}
TARGET_SCOPE = {
    "TARGET_SCOPE_UNSPECIFIED": 0,
    "GLOBAL": 1,
    "WORKSPACE": 2,
    "ENDPOINT": 3,
    "USER": 4,
}
BUDGET_ACTION = {"BUDGET_ACTION_UNSPECIFIED": 0, "ALERT": 1, "REJECT": 2}
STAGE = {"GUARDRAIL_STAGE_UNSPECIFIED": 0, "BEFORE": 1, "AFTER": 2}
ACTION = {"GUARDRAIL_ACTION_UNSPECIFIED": 0, "VALIDATION": 1, "SANITIZATION": 2}

MODEL_CONFIG = RequestSpec(
    "GatewayEndpointModelConfig",
    {
        "model_definition_id": _REQ,
        "linkage_type": Field("enum", enum=LINKAGE),
        "weight": Field("double"),
        "fallback_order": _INT,
    },
)
FALLBACK_CONFIG = RequestSpec(
    "FallbackConfig", {"strategy": Field("enum", enum=FALLBACK), "max_attempts": _INT}
)
DURATION = RequestSpec("BudgetDuration", {"unit": Field("enum", enum=DURATION_UNIT), "value": _INT})

CREATE_SECRET = RequestSpec(
    "CreateGatewaySecret",
    {
        "secret_name": _REQ,
        "secret_value": Field("map", required=True),
        "provider": _S,
        "auth_config": _MAP,
        "created_by": _S,
    },
)
GET_SECRET = RequestSpec("GetGatewaySecretInfo", {"secret_id": _S, "secret_name": _S})
UPDATE_SECRET = RequestSpec(
    "UpdateGatewaySecret",
    {"secret_id": _REQ, "secret_value": _MAP, "auth_config": _MAP, "updated_by": _S},
)
SECRET_ID = RequestSpec("DeleteGatewaySecret", {"secret_id": _REQ})
PROVIDER = RequestSpec("ListGatewaySecretInfos", {"provider": _S})

CREATE_DEFINITION = RequestSpec(
    "CreateGatewayModelDefinition",
    {"name": _REQ, "secret_id": _S, "provider": _REQ, "model_name": _REQ, "created_by": _S},
)
DEFINITION_ID = RequestSpec("GetGatewayModelDefinition", {"model_definition_id": _REQ})
LIST_FILTER = RequestSpec("ListGatewayModelDefinitions", {"provider": _S, "secret_id": _S})
UPDATE_DEFINITION = RequestSpec(
    "UpdateGatewayModelDefinition",
    {
        "model_definition_id": _REQ,
        "name": _S,
        "secret_id": _S,
        "model_name": _S,
        "updated_by": _S,
        "provider": _S,
    },
)

_ENDPOINT_FIELDS = {
    "model_configs": Field("message", repeated=True, message=MODEL_CONFIG),
    "routing_strategy": Field("enum", enum=ROUTING),
    "fallback_config": Field("message", message=FALLBACK_CONFIG),
    "experiment_id": _S,
    "usage_tracking": Field("bool"),
    "endpoint_type": _S,  # Ardea's (MLflow's endpoints are chat endpoints)
}
CREATE_ENDPOINT = RequestSpec(
    "CreateGatewayEndpoint", {"name": _REQ, "created_by": _S, **_ENDPOINT_FIELDS}
)
GET_ENDPOINT = RequestSpec("GetGatewayEndpoint", {"endpoint_id": _S, "name": _S})
UPDATE_ENDPOINT = RequestSpec(
    "UpdateGatewayEndpoint",
    {"endpoint_id": _REQ, "name": _S, "updated_by": _S, **_ENDPOINT_FIELDS},
)
ENDPOINT_ID = RequestSpec("DeleteGatewayEndpoint", {"endpoint_id": _REQ})
ATTACH_MODEL = RequestSpec(
    "AttachModelToGatewayEndpoint",
    {
        "endpoint_id": _REQ,
        "model_config": Field("message", required=True, message=MODEL_CONFIG),
        "created_by": _S,
    },
)
DETACH_MODEL = RequestSpec(
    "DetachModelFromGatewayEndpoint", {"endpoint_id": _REQ, "model_definition_id": _REQ}
)
SET_TAG = RequestSpec("SetGatewayEndpointTag", {"endpoint_id": _REQ, "key": _REQ, "value": _S})
DELETE_TAG = RequestSpec("DeleteGatewayEndpointTag", {"endpoint_id": _REQ, "key": _REQ})
BINDING = RequestSpec(
    "CreateGatewayEndpointBinding",
    {"endpoint_id": _REQ, "resource_type": _REQ, "resource_id": _REQ, "created_by": _S},
)
LIST_BINDINGS = RequestSpec(
    "ListGatewayEndpointBindings", {"endpoint_id": _S, "resource_type": _S, "resource_id": _S}
)

_BUDGET_FIELDS = {
    "budget_unit": Field("enum", enum=BUDGET_UNIT),
    "budget_amount": Field("double"),
    "duration": Field("message", message=DURATION),
    "target_scope": Field("enum", enum=TARGET_SCOPE),
    "budget_action": Field("enum", enum=BUDGET_ACTION),
    "target_value": _S,
}
CREATE_BUDGET = RequestSpec("CreateGatewayBudgetPolicy", {**_BUDGET_FIELDS, "created_by": _S})
BUDGET_ID = RequestSpec("GetGatewayBudgetPolicy", {"budget_policy_id": _REQ})
UPDATE_BUDGET = RequestSpec(
    "UpdateGatewayBudgetPolicy",
    {"budget_policy_id": _REQ, **_BUDGET_FIELDS, "updated_by": _S},
)
PAGE = RequestSpec("ListGatewayBudgetPolicies", {"max_results": _INT, "page_token": _S})

GUARDRAIL_PATTERNS = RequestSpec(
    "GuardrailPatternConfig",
    {"patterns": _MAP, "pii": Field("string", repeated=True)},
)
"""Ardea's ``config`` of a pattern guardrail (``scorer_id`` ``ardea:patterns``)."""
CREATE_GUARDRAIL = RequestSpec(
    "CreateGatewayGuardrail",
    {
        "name": _REQ,
        "scorer_id": _REQ,
        "scorer_version": _INT,
        "stage": Field("enum", required=True, enum=STAGE),
        "action": Field("enum", required=True, enum=ACTION),
        "action_endpoint_id": _S,
        "config": Field("message", message=GUARDRAIL_PATTERNS),
    },
)
UPDATE_GUARDRAIL = RequestSpec(
    "UpdateGatewayGuardrail",
    {"guardrail_id": _REQ, "config": Field("message", required=True, message=GUARDRAIL_PATTERNS)},
)
GUARDRAIL_ID = RequestSpec("GetGatewayGuardrail", {"guardrail_id": _REQ})
ADD_GUARDRAIL = RequestSpec(
    "AddGuardrailToEndpoint",
    {"endpoint_id": _REQ, "guardrail_id": _REQ, "execution_order": _INT},
)
REMOVE_GUARDRAIL = RequestSpec(
    "RemoveGuardrailFromEndpoint", {"endpoint_id": _REQ, "guardrail_id": _REQ}
)
UPDATE_GUARDRAIL_CONFIG = RequestSpec(
    "UpdateEndpointGuardrailConfig",
    {
        "endpoint_id": _REQ,
        "guardrail_id": _REQ,
        "execution_order": _INT,
        "config": Field("message", message=GUARDRAIL_PATTERNS),
    },
)
