"""Human review queues: ``/api/3.0/ardea/review/...``.

Ardea's own routes: MLflow's labeling sessions are Databricks-only, with no open wire to match.

| Route | Method + path | Access |
|---|---|---|
| create a queue | POST ``/ardea/review/queues/create`` | EDIT experiment |
| list queues (with progress) | GET ``/ardea/review/queues/list[?experiment_id=]`` | READ (search) |
| get a queue (with progress) | GET ``/ardea/review/queues/get?queue_id=`` | READ |
| delete a queue | POST ``/ardea/review/queues/delete`` | MANAGE |
| progress | GET ``/ardea/review/queues/progress?queue_id=`` | READ |
| add traces/sessions by hand | POST ``/ardea/review/items/add`` | EDIT |
| add by a trace filter | POST ``/ardea/review/items/add-by-filter`` | EDIT |
| add where a judge said no | POST ``/ardea/review/items/add-by-judge`` | EDIT |
| list items | GET ``/ardea/review/items/list?queue_id=`` | READ |
| get an item (and its queue) | GET ``/ardea/review/items/get?item_id=`` | READ |
| assign | POST ``/ardea/review/items/assign`` | EDIT |
| my next item | GET ``/ardea/review/items/next?queue_id=`` | EDIT |
| submit labels | POST ``/ardea/review/items/submit`` | EDIT |
| skip | POST ``/ardea/review/items/skip`` | EDIT |
| labels to dataset | POST ``/ardea/review/queues/to-dataset`` | EDIT experiment and dataset |

Access follows the queue's experiment: a reader sees queues and items but cannot label. The
reviewer is the signed-in user (``--auth``); a ``reviewer`` field naming someone else is
refused (403) unless the caller is an admin. Without ``--auth`` the ``reviewer`` field names
the reviewer (``anonymous`` when absent). A reviewer acts only on items assigned to them or to
nobody (403 otherwise; admins may act on any).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError, PermissionDeniedError
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.review_json import item_to_json, progress_to_json, queue_to_json
from ardea.api.schemas.common import EmptyResponse
from ardea.api.schemas.review import (
    AddItemsResponse,
    NextItemResponse,
    QueueProgressJson,
    ReviewItemResponse,
    ReviewItemsResponse,
    ReviewQueueResponse,
    ReviewQueuesResponse,
    ToDatasetResponse,
)
from ardea.entities.auth import ResourceType
from ardea.server import access_targets as at
from ardea.server.access import EDIT, MANAGE, READ, on, search
from ardea.server.authz import caller_user
from ardea.server.deps import backend
from ardea.server.http import call, empty, json_object, json_response, parse_get, parse_json, rpc
from ardea.server.openapi import spec_schema
from ardea.store.review import ReviewStore

__all__ = ["router"]

router = APIRouter()
"""Review queue routes, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_P = "/ardea/review"
_S = Field("string")
_Q = Field("string", required=True)
_IDS = Field("string", repeated=True)
_SCHEMA = RequestSpec(
    "LabelSchema",
    {
        "name": Field("string", required=True),
        "type": Field("string", required=True),
        "title": _S,
        "instruction": _S,
        "options": _IDS,
        "min": Field("double"),
        "max": Field("double"),
        "required": Field("bool"),
    },
)
CREATE = RequestSpec(
    "CreateReviewQueue",
    {
        "experiment_id": Field("string", required=True),
        "name": Field("string", required=True),
        "description": _S,
        "label_schemas": Field("message", required=True, repeated=True, message=_SCHEMA),
    },
)
LIST = RequestSpec("ListReviewQueues", {"experiment_id": _S})
ONE = RequestSpec("GetReviewQueue", {"queue_id": _Q})
ADD = RequestSpec("AddReviewItems", {"queue_id": _Q, "trace_ids": _IDS, "session_ids": _IDS})
BY_FILTER = RequestSpec(
    "AddReviewItemsByFilter", {"queue_id": _Q, "filter_string": _S, "max_items": Field("int64")}
)
BY_JUDGE = RequestSpec(
    "AddReviewItemsByJudge",
    {"queue_id": _Q, "judge_name": Field("string", required=True), "max_items": Field("int64")},
)
ITEMS = RequestSpec(
    "ListReviewItems",
    {
        "queue_id": _Q,
        "state": _S,
        "assignee": _S,
        "max_results": Field("int64"),
        "page_token": _S,
    },
)
ITEM = RequestSpec("GetReviewItem", {"item_id": Field("string", required=True)})
ASSIGN = RequestSpec(
    "AssignReviewItems", {"queue_id": _Q, "reviewers": _IDS, "item_ids": _IDS, "all": Field("bool")}
)
NEXT = RequestSpec(
    "NextReviewItem", {"queue_id": _Q, "reviewer": _S, "after_position": Field("int64")}
)
SUBMIT = RequestSpec(
    "SubmitReviewLabels",
    {"item_id": Field("string", required=True), "reviewer": _S, "comment": _S},
)
SKIP = RequestSpec("SkipReviewItem", {"item_id": Field("string", required=True), "reviewer": _S})
TO_DATASET = RequestSpec(
    "ReviewLabelsToDataset",
    {"queue_id": _Q, "dataset_id": Field("string", required=True), "item_ids": _IDS},
)

_SUBMIT_BODY = spec_schema(SUBMIT)
_SUBMIT_BODY["properties"]["labels"] = {
    "type": "object",
    "description": "Schema name -> value (a boolean or 'pass'/'fail', an option, a number, text)",
}
_SUBMIT_BODY["required"] = [*_SUBMIT_BODY["required"], "labels"]
_SUBMIT_EXTRA = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": _SUBMIT_BODY}}}
}


def _store(request: Request) -> ReviewStore:
    return backend(request).review


def _reviewer(request: Request, given: str | None) -> tuple[str, bool]:
    """The acting reviewer and whether they may act on anyone's items (see module doc)."""
    user = caller_user(request)
    if user is None:
        return given or "anonymous", False
    if given and given != user.username and not user.is_admin:
        raise PermissionDeniedError("Only an admin may act as another reviewer")
    return given or user.username, user.is_admin


def _count(value: int | None, default: int = 100) -> int:
    return default if value is None else value


def _progress(p: Any) -> QueueProgressJson:
    return progress_to_json(p)  # type: ignore[return-value]


@rpc(
    router,
    _P + "/queues/create",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=ReviewQueueResponse,
    spec=CREATE,
)
async def create_queue(request: Request) -> Response:
    """A new queue on the experiment -> ``{queue}``; a taken name: 409."""
    req = await parse_json(request, CREATE)
    raw = (await json_object(request)).get("label_schemas")
    user = caller_user(request)
    made = await call(
        _store(request).create_queue,
        req["experiment_id"],
        req["name"],
        raw if isinstance(raw, list) else req["label_schemas"],
        req["description"] or None,
        user.username if user is not None else None,
    )
    return json_response({"queue": queue_to_json(made)})


@rpc(
    router,
    _P + "/queues/list",
    "GET",
    access=search(ResourceType.EXPERIMENT),
    response=ReviewQueuesResponse,
    spec=LIST,
)
async def list_queues(request: Request) -> Response:
    """The queues of an experiment (or of every readable one), each with its progress."""
    req = parse_get(request, LIST)
    store = _store(request)
    found = await call(store.list_queues, req["experiment_id"] or None)
    progress = await call(store.progress_of, [q.queue_id for q in found])
    return json_response(
        {"queues": [queue_to_json(q) for q in found], "progress": [_progress(p) for p in progress]}
    )


@rpc(
    router,
    _P + "/queues/get",
    "GET",
    access=on(READ, at.review_queue(), "experiment of queue_id"),
    response=ReviewQueueResponse,
    spec=ONE,
)
async def get_queue(request: Request) -> Response:
    """One queue -> ``{queue, progress}``."""
    req = parse_get(request, ONE)
    store = _store(request)
    queue = await call(store.get_queue, req["queue_id"])
    progress = await call(store.progress, queue.queue_id)
    return json_response({"queue": queue_to_json(queue), "progress": _progress(progress)})


@rpc(
    router,
    _P + "/queues/delete",
    "POST",
    access=on(MANAGE, at.review_queue(), "experiment of queue_id"),
    response=EmptyResponse,
    spec=ONE,
)
async def delete_queue(request: Request) -> Response:
    """Delete a queue and its items (the labels stay on their traces) -> ``{}``."""
    req = await parse_json(request, ONE)
    await call(_store(request).delete_queue, req["queue_id"])
    return empty()


@rpc(
    router,
    _P + "/queues/progress",
    "GET",
    access=on(READ, at.review_queue(), "experiment of queue_id"),
    response=QueueProgressJson,
    spec=ONE,
)
async def queue_progress(request: Request) -> Response:
    """Counts per state, in all and per reviewer."""
    req = parse_get(request, ONE)
    return json_response(_progress(await call(_store(request).progress, req["queue_id"])))


@rpc(
    router,
    _P + "/items/add",
    "POST",
    access=on(EDIT, at.review_queue(), "experiment of queue_id"),
    response=AddItemsResponse,
    spec=ADD,
)
async def add_items(request: Request) -> Response:
    """Add traces and sessions by id -> ``{items}`` (the new ones); an unknown id: 400."""
    req = await parse_json(request, ADD)
    made = await call(
        _store(request).add_items, req["queue_id"], req["trace_ids"], req["session_ids"]
    )
    return json_response({"items": [item_to_json(i) for i in made]})


@rpc(
    router,
    _P + "/items/add-by-filter",
    "POST",
    access=on(EDIT, at.review_queue(), "experiment of queue_id"),
    response=AddItemsResponse,
    spec=BY_FILTER,
)
async def add_items_by_filter(request: Request) -> Response:
    """Add the newest traces matching a trace search filter (``max_items``, 100 by default)."""
    req = await parse_json(request, BY_FILTER)
    made = await call(
        _store(request).add_items_by_filter,
        req["queue_id"],
        req["filter_string"] or None,
        _count(req["max_items"]),
    )
    return json_response({"items": [item_to_json(i) for i in made]})


@rpc(
    router,
    _P + "/items/add-by-judge",
    "POST",
    access=on(EDIT, at.review_queue(), "experiment of queue_id"),
    response=AddItemsResponse,
    spec=BY_JUDGE,
)
async def add_items_by_judge(request: Request) -> Response:
    """Add traces whose LLM_JUDGE feedback ``judge_name`` said no."""
    req = await parse_json(request, BY_JUDGE)
    made = await call(
        _store(request).add_items_by_judge,
        req["queue_id"],
        req["judge_name"],
        _count(req["max_items"]),
    )
    return json_response({"items": [item_to_json(i) for i in made]})


@rpc(
    router,
    _P + "/items/list",
    "GET",
    access=on(READ, at.review_queue(), "experiment of queue_id"),
    response=ReviewItemsResponse,
    spec=ITEMS,
)
async def list_items(request: Request) -> Response:
    """A page of a queue's items by position (``assignee=`` empty: unassigned ones)."""
    req = parse_get(request, ITEMS)
    assignee = request.query_params.get("assignee")
    page = await call(
        _store(request).list_items,
        req["queue_id"],
        req["state"] or None,
        assignee,
        _count(req["max_results"]),
        req["page_token"] or None,
    )
    out: dict[str, Any] = {"items": [item_to_json(i) for i in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    _P + "/items/get",
    "GET",
    access=on(READ, at.review_item(), "experiment of item_id"),
    response=ReviewItemResponse,
    spec=ITEM,
)
async def get_item(request: Request) -> Response:
    """One item -> ``{item, queue}``."""
    req = parse_get(request, ITEM)
    store = _store(request)
    item = await call(store.get_item, req["item_id"])
    queue = await call(store.get_queue, item.queue_id)
    return json_response({"item": item_to_json(item), "queue": queue_to_json(queue)})


@rpc(
    router,
    _P + "/items/assign",
    "POST",
    access=on(EDIT, at.review_queue(), "experiment of queue_id"),
    response=AddItemsResponse,
    spec=ASSIGN,
)
async def assign_items(request: Request) -> Response:
    """Assign ``item_ids`` (or, with ``all``, every unassigned pending item) round-robin."""
    req = await parse_json(request, ASSIGN)
    if not req["item_ids"] and not req["all"]:
        raise InvalidArgumentError("Give 'item_ids', or 'all': true for every unassigned item")
    made = await call(
        _store(request).assign_items,
        req["queue_id"],
        req["reviewers"],
        None if req["all"] and not req["item_ids"] else req["item_ids"],
    )
    return json_response({"items": [item_to_json(i) for i in made]})


@rpc(
    router,
    _P + "/items/next",
    "GET",
    access=on(EDIT, at.review_queue(), "experiment of queue_id"),
    response=NextItemResponse,
    spec=NEXT,
)
async def next_item(request: Request) -> Response:
    """The caller's next pending item -> ``{item}``, or ``{}`` when none is left."""
    req = parse_get(request, NEXT)
    who, _ = _reviewer(request, req["reviewer"] or None)
    found = await call(_store(request).next_item, req["queue_id"], who, req["after_position"])
    return json_response({} if found is None else {"item": item_to_json(found)})


@rpc(
    router,
    _P + "/items/submit",
    "POST",
    access=on(EDIT, at.review_item(), "experiment of item_id"),
    response=ReviewItemResponse,
    spec=SUBMIT,
    extra=_SUBMIT_EXTRA,
)
async def submit_labels(request: Request) -> Response:
    """Store ``labels`` as HUMAN assessments and mark the item done -> ``{item}``."""
    req = await parse_json(request, SUBMIT)
    labels = (await json_object(request)).get("labels")
    if labels is None:
        raise InvalidArgumentError("Missing value for required parameter 'labels'")
    who, admin = _reviewer(request, req["reviewer"] or None)
    done = await call(
        _store(request).submit_labels, req["item_id"], who, labels, req["comment"] or None, admin
    )
    return json_response({"item": item_to_json(done)})


@rpc(
    router,
    _P + "/items/skip",
    "POST",
    access=on(EDIT, at.review_item(), "experiment of item_id"),
    response=ReviewItemResponse,
    spec=SKIP,
)
async def skip_item(request: Request) -> Response:
    """Mark a pending item skipped -> ``{item}``; an item that is not pending: 400."""
    req = await parse_json(request, SKIP)
    who, admin = _reviewer(request, req["reviewer"] or None)
    done = await call(_store(request).skip_item, req["item_id"], who, admin)
    return json_response({"item": item_to_json(done)})


@rpc(
    router,
    _P + "/queues/to-dataset",
    "POST",
    access=on(
        EDIT,
        at.all_of(at.review_queue(), at.dataset()),
        "experiment of queue_id and dataset_id",
    ),
    response=ToDatasetResponse,
    spec=TO_DATASET,
)
async def to_dataset(request: Request) -> Response:
    """Make the labels of done items a dataset's expectations -> ``{records}``."""
    req = await parse_json(request, TO_DATASET)
    count = await call(
        _store(request).to_dataset, req["queue_id"], req["dataset_id"], req["item_ids"] or None
    )
    return json_response({"records": count})
