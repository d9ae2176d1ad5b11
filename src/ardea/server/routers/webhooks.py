"""MLflow webhook RPCs (``webhooks.proto``; MLFLOW-WIRE.md section 7, end).

Mounted under ``/api/2.0`` and ``/ajax-api/2.0``:

| RPC | Method + path | Answer |
|---|---|---|
| CreateWebhook | POST ``/mlflow/webhooks`` | ``{webhook}`` |
| ListWebhooks | GET ``/mlflow/webhooks`` (``max_results``, ``page_token``) | ``{webhooks, next_page_token}`` |
| GetWebhook | GET ``/mlflow/webhooks/{webhook_id}`` | ``{webhook}`` |
| UpdateWebhook | PATCH ``/mlflow/webhooks/{webhook_id}`` | ``{webhook}`` |
| DeleteWebhook | DELETE ``/mlflow/webhooks/{webhook_id}`` | ``{}`` |
| TestWebhook | POST ``/mlflow/webhooks/{webhook_id}/test`` (``event``) | ``{result}`` |

No answer ever contains a secret (the :class:`Webhook` entity cannot hold one).
"""  # noqa: E501

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.common import EmptyResponse
from ardea.api.schemas.webhooks import (
    ListWebhooksResponse,
    TestWebhookResponse,
    WebhookResponse,
)
from ardea.entities.auth import ResourceType
from ardea.entities.webhook import parse_event, webhook_to_json
from ardea.server import access_targets as at
from ardea.server.access import (
    EDIT,
    MANAGE,
    READ,
    create,
    on,
    search,
)
from ardea.server.deps import webhooks
from ardea.server.http import call, empty, json_response, parse_get, parse_json, rpc
from ardea.server.openapi_responses import INPUT_ERRORS, STORE_ERRORS
from ardea.store.webhooks import WEBHOOKS_MAX_RESULTS_DEFAULT

router = APIRouter()
"""Webhook routes, mounted under ``/api/2.0`` and ``/ajax-api/2.0``."""

_PATH = "/mlflow/webhooks"
_ONE = _PATH + "/{webhook_id}"

_S = Field("string")
_EVENT = RequestSpec("WebhookEvent", {"entity": _S, "action": _S})
_EVENTS = Field("message", repeated=True, message=_EVENT)

CREATE_WEBHOOK = RequestSpec(
    "CreateWebhook",
    {
        "name": Field("string", required=True),
        "description": _S,
        "url": Field("string", required=True),
        "events": _EVENTS,
        "secret": _S,
        "status": _S,
    },
)
LIST_WEBHOOKS = RequestSpec("ListWebhooks", {"max_results": Field("int64"), "page_token": _S})
UPDATE_WEBHOOK = RequestSpec(
    "UpdateWebhook",
    {
        "name": _S,
        "description": _S,
        "url": _S,
        "events": _EVENTS,
        "secret": _S,
        "status": _S,
    },
)
TEST_WEBHOOK = RequestSpec("TestWebhook", {"event": Field("message", message=_EVENT)})
WEBHOOK_INPUT_ERRORS = (*INPUT_ERRORS, 501)
"""Webhook routes that name no existing webhook (create, list)."""


def _webhook(w: Any) -> Response:
    return json_response({"webhook": webhook_to_json(w)})


@rpc(
    router,
    _PATH,
    "POST",
    access=create(
        at.workspace_target(ResourceType.WEBHOOK), at.created_webhook, "webhook (workspace admins)"
    ),
    response=WebhookResponse,
    errors=WEBHOOK_INPUT_ERRORS,
    spec=CREATE_WEBHOOK,
)
async def create_webhook(request: Request) -> Response:
    """CreateWebhook -> ``{webhook}``; bad name, URL, events or status: 400."""
    req = await parse_json(request, CREATE_WEBHOOK)
    rt = webhooks(request)
    w = await call(
        rt.store.create_webhook,
        req["name"],
        req["url"],
        req["events"],
        req["description"],
        req["secret"],
        req["status"] or "ACTIVE",
    )
    rt.dispatcher.invalidate()
    return _webhook(w)


@rpc(
    router,
    _PATH,
    "GET",
    access=search(ResourceType.WEBHOOK),
    response=ListWebhooksResponse,
    errors=WEBHOOK_INPUT_ERRORS,
    spec=LIST_WEBHOOKS,
)
async def list_webhooks(request: Request) -> Response:
    """ListWebhooks -> ``{webhooks, next_page_token}`` (newest first)."""
    req = parse_get(request, LIST_WEBHOOKS)
    max_results = req["max_results"] or WEBHOOKS_MAX_RESULTS_DEFAULT
    page = await call(webhooks(request).store.list_webhooks, max_results, req["page_token"])
    out: dict[str, Any] = {"webhooks": [webhook_to_json(w) for w in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    _ONE,
    "GET",
    access=on(READ, at.webhook(), "webhook"),
    response=WebhookResponse,
    errors=STORE_ERRORS,
)
async def get_webhook(request: Request) -> Response:
    """GetWebhook -> ``{webhook}``; unknown id: 404 RESOURCE_DOES_NOT_EXIST."""
    webhook_id = request.path_params["webhook_id"]
    return _webhook(await call(webhooks(request).store.get_webhook, webhook_id))


@rpc(
    router,
    _ONE,
    "PATCH",
    access=on(EDIT, at.webhook(), "webhook"),
    response=WebhookResponse,
    errors=STORE_ERRORS,
    spec=UPDATE_WEBHOOK,
)
async def update_webhook(request: Request) -> Response:
    """UpdateWebhook -> ``{webhook}``; absent fields stay, ``secret: ""`` removes the secret."""
    req = await parse_json(request, UPDATE_WEBHOOK)
    rt = webhooks(request)
    w = await call(
        rt.store.update_webhook,
        request.path_params["webhook_id"],
        name=req["name"] or None,
        description=req["description"],
        url=req["url"] or None,
        events=req["events"] or None,
        secret=req["secret"],
        status=req["status"] or None,
    )
    rt.dispatcher.invalidate()
    return _webhook(w)


@rpc(
    router,
    _ONE,
    "DELETE",
    access=on(MANAGE, at.webhook(), "webhook", after=at.drop_grants),
    response=EmptyResponse,
    errors=STORE_ERRORS,
)
async def delete_webhook(request: Request) -> Response:
    """DeleteWebhook -> ``{}``; unknown id: 404."""
    rt = webhooks(request)
    await call(rt.store.delete_webhook, request.path_params["webhook_id"])
    rt.dispatcher.invalidate()
    return empty()


@rpc(
    router,
    _ONE + "/test",
    "POST",
    access=on(EDIT, at.webhook(), "webhook"),
    response=TestWebhookResponse,
    errors=STORE_ERRORS,
    spec=TEST_WEBHOOK,
)
async def test_webhook(request: Request) -> Response:
    """TestWebhook -> ``{result: {success, response_status, response_body, error_message}}``.

    Sends one sample delivery of ``event`` (default: the webhook's first event), signed as
    real deliveries are, and reports the endpoint's answer.
    """
    req = await parse_json(request, TEST_WEBHOOK)
    event = parse_event(req["event"]) if req["event"] else None
    rt = webhooks(request)
    result = await call(rt.dispatcher.send_test, request.path_params["webhook_id"], event)
    return json_response({"result": result.to_json()})
