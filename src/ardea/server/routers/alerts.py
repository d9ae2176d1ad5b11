"""Alert rules and their events: ``/api/3.0/ardea/alerts/...``.

Ardea's own routes (MLflow has no alerting wire).

| Route | Method + path | Access |
|---|---|---|
| create a rule | POST ``/ardea/alerts/rules/create`` | EDIT experiment |
| list rules | GET ``/ardea/alerts/rules/list[?experiment_id=]`` | READ (search) |
| get a rule | GET ``/ardea/alerts/rules/get?rule_id=`` | READ |
| update a rule | POST ``/ardea/alerts/rules/update`` | EDIT |
| delete a rule | POST ``/ardea/alerts/rules/delete`` | MANAGE |
| list events | GET ``/ardea/alerts/events/list?experiment_id=|rule_id=`` | READ |

Access follows the rule's experiment. An update names the settings it changes (the others
are kept); the state and history survive it. Bad settings are a 400
``INVALID_PARAMETER_VALUE`` naming the field; a second rule of one name on an experiment a
400 ``RESOURCE_ALREADY_EXISTS`` (MLflow's status). The server's evaluator
(:mod:`ardea.server.alerts`) moves the states and records the events.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.alerts_json import event_to_json, rule_to_json
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.alerts import AlertEventsResponse, AlertRuleResponse, AlertRulesResponse
from ardea.api.schemas.common import EmptyResponse
from ardea.entities.auth import ResourceType
from ardea.server import access_targets as at
from ardea.server.access import EDIT, MANAGE, READ, on, search
from ardea.server.authz import caller_user
from ardea.server.deps import backend
from ardea.server.http import call, empty, json_object, json_response, parse_get, parse_json, rpc
from ardea.server.openapi_responses import STORE_ERRORS
from ardea.store.alerts import AlertStore

__all__ = ["CREATE", "EVENTS", "ONE", "SETTINGS", "UPDATE", "router"]

router = APIRouter()
"""Alert routes, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_P = "/ardea/alerts"
SETTINGS = {
    "name": Field("string"),
    "kind": Field("string"),
    "judge": Field("string"),
    "threshold": Field("double"),
    "recovery_threshold": Field("double"),
    "window_seconds": Field("int64"),
    "min_samples": Field("int64"),
    "enabled": Field("bool"),
    "description": Field("string"),
}
"""A rule's settings as request fields (create requires some; see ``check_rule_fields``)."""
CREATE = RequestSpec(
    "CreateAlertRule",
    {
        **SETTINGS,
        "experiment_id": Field("string", required=True),
        "name": Field("string", required=True),
        "kind": Field("string", required=True),
        "threshold": Field("double", required=True),
        "window_seconds": Field("int64", required=True),
    },
)
UPDATE = RequestSpec("UpdateAlertRule", {**SETTINGS, "rule_id": Field("string", required=True)})
ONE = RequestSpec("GetAlertRule", {"rule_id": Field("string", required=True)})
LIST = RequestSpec("ListAlertRules", {"experiment_id": Field("string")})
EVENTS = RequestSpec(
    "ListAlertEvents",
    {
        "experiment_id": Field("string"),
        "rule_id": Field("string"),
        "max_results": Field("int64"),
        "page_token": Field("string"),
    },
)


def _store(request: Request) -> AlertStore:
    return backend(request).alerts


async def _settings(request: Request, req: dict[str, Any]) -> dict[str, Any]:
    """The settings the body names (an explicit ``null`` clears an optional one)."""
    raw = await json_object(request)
    return {name: req[name] for name in SETTINGS if name in raw}


@rpc(
    router,
    _P + "/rules/create",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=AlertRuleResponse,
    errors=STORE_ERRORS,
    spec=CREATE,
)
async def create_rule(request: Request) -> Response:
    """A new rule on the experiment, in state OK -> ``{rule}`` (a taken name: 400)."""
    req = await parse_json(request, CREATE)
    user = caller_user(request)
    made = await call(
        _store(request).create_rule,
        req["experiment_id"],
        await _settings(request, req),
        user.username if user is not None else None,
    )
    return json_response({"rule": rule_to_json(made)})


@rpc(
    router,
    _P + "/rules/list",
    "GET",
    access=search(ResourceType.EXPERIMENT),
    response=AlertRulesResponse,
    spec=LIST,
)
async def list_rules(request: Request) -> Response:
    """The rules of an experiment (or of every readable one), with their state."""
    req = parse_get(request, LIST)
    found = await call(_store(request).list_rules, req["experiment_id"] or None)
    return json_response({"rules": [rule_to_json(r) for r in found]})


@rpc(
    router,
    _P + "/rules/get",
    "GET",
    access=on(READ, at.alert_rule(), "experiment of rule_id"),
    response=AlertRuleResponse,
    spec=ONE,
)
async def get_rule(request: Request) -> Response:
    """One rule -> ``{rule}``."""
    req = parse_get(request, ONE)
    return json_response(
        {"rule": rule_to_json(await call(_store(request).get_rule, req["rule_id"]))}
    )


@rpc(
    router,
    _P + "/rules/update",
    "POST",
    access=on(EDIT, at.alert_rule(), "experiment of rule_id"),
    response=AlertRuleResponse,
    errors=STORE_ERRORS,
    spec=UPDATE,
)
async def update_rule(request: Request) -> Response:
    """Change the settings the body names -> ``{rule}``."""
    req = await parse_json(request, UPDATE)
    changes = await _settings(request, req)
    changed = await call(_store(request).update_rule, req["rule_id"], changes)
    return json_response({"rule": rule_to_json(changed)})


@rpc(
    router,
    _P + "/rules/delete",
    "POST",
    access=on(MANAGE, at.alert_rule(), "experiment of rule_id"),
    response=EmptyResponse,
    spec=ONE,
)
async def delete_rule(request: Request) -> Response:
    """Delete a rule and its events -> ``{}``."""
    req = await parse_json(request, ONE)
    await call(_store(request).delete_rule, req["rule_id"])
    return empty()


@rpc(
    router,
    _P + "/events/list",
    "GET",
    access=on(READ, at.all_of(at.experiment(), at.alert_rule()), "experiment (of rule_id)"),
    response=AlertEventsResponse,
    errors=STORE_ERRORS,
    spec=EVENTS,
)
async def list_events(request: Request) -> Response:
    """Events of a rule or an experiment, newest first -> ``{events, next_page_token}``."""
    req = parse_get(request, EVENTS)
    if not req["experiment_id"] and not req["rule_id"]:
        raise InvalidArgumentError("Name an 'experiment_id' or a 'rule_id'.")
    page = await call(
        _store(request).list_events,
        req["experiment_id"] or None,
        req["rule_id"] or None,
        100 if req["max_results"] is None else req["max_results"],
        req["page_token"] or None,
    )
    out: dict[str, Any] = {"events": [event_to_json(e) for e in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)
