"""MLflow's issue RPCs and Ardea's issue proposals, under ``/api/3.0`` (and ``/ajax-api/3.0``).

| Route | Method + path | Access |
|---|---|---|
| CreateIssue | POST ``/mlflow/issues`` | EDIT experiment |
| GetIssue | GET ``/mlflow/issues/{issue_id}`` | READ |
| UpdateIssue | PATCH ``/mlflow/issues/{issue_id}`` | EDIT |
| SearchIssues | POST ``/mlflow/issues/search`` | READ experiment (named with ``--auth``) |
| traces of an issue | GET ``/ardea/issues/traces?issue_id=`` | READ |
| link traces | POST ``/ardea/issues/link`` | EDIT |
| propose issues | POST ``/ardea/issues/propose`` | READ experiment |
| accept a proposal | POST ``/ardea/issues/accept`` | EDIT experiment |

Shapes are MLflow's (``mlflow/protos/issues.proto``): an issue's traces are linked by
assessments of kind ``issue`` (MLflow's ``IssueReference``), so ``mlflow.log_issue`` works too.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError, PermissionDeniedError
from ardea.api.issue_json import issue_to_json, proposal_to_json
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.issues import (
    IssueProposalsResponse,
    IssueResponse,
    IssueTracesResponse,
    SearchIssuesResponse,
)
from ardea.entities.issue import check_issue_id
from ardea.server import access_targets as at
from ardea.server.access import EDIT, READ, on
from ardea.server.authz import caller_user
from ardea.server.deps import backend, runtime
from ardea.server.http import call, json_object, json_response, parse_get, parse_json, rpc
from ardea.services.issue_proposals import (
    DEFAULT_THRESHOLD,
    ProposalRequest,
    accept_proposal,
    propose_issues,
)
from ardea.store.issues import IssueChanges, IssueQuery, IssueStore, NewIssue

__all__ = ["router"]

router = APIRouter()
"""Issue routes, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_S = Field("string")
_LIST = Field("string", repeated=True)
_P = "/mlflow/issues"
_A = "/ardea/issues"
CREATE = RequestSpec(
    "CreateIssue",
    {
        "experiment_id": Field("string", required=True),
        "name": Field("string", required=True),
        "description": Field("string", required=True),
        "status": _S,
        "severity": _S,
        "root_causes": _LIST,
        "source_run_id": _S,
        "created_by": _S,
        "categories": _LIST,
        "issue_id": _S,
        "last_seen_timestamp": Field("int64"),
        "metadata": Field("map"),
    },
)
GET = RequestSpec("GetIssue", {"issue_id": _S})
UPDATE = RequestSpec(
    "UpdateIssue",
    {
        "issue_id": _S,
        "name": _S,
        "description": _S,
        "status": _S,
        "severity": _S,
        "categories": _LIST,
        "last_seen_timestamp": Field("int64"),
        "last_updated_by": _S,
        "metadata": Field("map"),
        "delete_metadata_keys": _LIST,
    },
)
SEARCH = RequestSpec(
    "SearchIssues",
    {
        "experiment_id": _S,
        "filter_string": _S,
        "max_results": Field("int64"),
        "page_token": _S,
        "include_trace_count": Field("bool"),
        "name": _S,
        "statuses": _LIST,
        "severities": _LIST,
        "categories": _LIST,
        "order_by": _LIST,
        "include_total_count": Field("bool"),
        "view": _S,
    },
)
TRACES = RequestSpec(
    "ListIssueTraces", {"issue_id": Field("string", required=True), "max_results": Field("int64")}
)
LINK = RequestSpec(
    "LinkIssueTraces",
    {"issue_id": Field("string", required=True), "trace_ids": Field("string", repeated=True)},
)
PROPOSE = RequestSpec(
    "ProposeIssues",
    {
        "experiment_id": Field("string", required=True),
        "start_time_ms": Field("int64"),
        "end_time_ms": Field("int64"),
        "judge": _S,
        "embedding_model": _S,
        "summary_model": _S,
        "threshold": Field("double"),
        "min_size": Field("int64"),
        "max_proposals": Field("int64"),
        "max_failures": Field("int64"),
    },
)
ACCEPT = RequestSpec(
    "AcceptIssueProposal",
    {
        "experiment_id": Field("string", required=True),
        "name": Field("string", required=True),
        "description": _S,
        "trace_ids": Field("string", repeated=True, required=True),
    },
)


def _store(request: Request) -> IssueStore:
    return backend(request).issues


def _username(request: Request) -> str | None:
    user = caller_user(request)
    return user.username if user is not None else None


def _present(raw: dict[str, Any], req: dict[str, Any], key: str) -> str | None:
    """A string field the body carries (even empty), else None (protobuf's HasField)."""
    return req[key] if key in raw and raw[key] is not None else None


@rpc(
    router,
    _P,
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=IssueResponse,
    spec=CREATE,
)
async def create_issue(request: Request) -> Response:
    """CreateIssue -> ``{issue}``; a taken ``issue_id``: RESOURCE_ALREADY_EXISTS."""
    req = await parse_json(request, CREATE)
    raw = await json_object(request)
    new = NewIssue(
        experiment_id=req["experiment_id"],
        name=req["name"],
        description=req["description"],
        status=_present(raw, req, "status") or "pending",
        severity=_present(raw, req, "severity"),
        root_causes=list(req["root_causes"]),
        source_run_id=req["source_run_id"] or None,
        categories=list(req["categories"]),
        created_by=_username(request) or req["created_by"] or None,
        issue_id=_present(raw, req, "issue_id"),
        last_seen_timestamp=req["last_seen_timestamp"],
        metadata=dict(req["metadata"] or {}),
    )
    if new.issue_id is not None:
        check_issue_id(new.issue_id)
    made = await call(_store(request).create_issue, new)
    return json_response({"issue": issue_to_json(made)})


@rpc(
    router,
    _P + "/{issue_id}",
    "GET",
    access=on(READ, at.issue(), "experiment of the issue"),
    response=IssueResponse,
    spec=GET,
)
async def get_issue(request: Request) -> Response:
    """GetIssue -> ``{issue}`` (with its ``trace_count``)."""
    issue = await call(_store(request).get_issue, request.path_params["issue_id"])
    return json_response({"issue": issue_to_json(issue)})


@rpc(
    router,
    _P + "/{issue_id}",
    "PATCH",
    access=on(EDIT, at.issue(), "experiment of the issue"),
    response=IssueResponse,
    spec=UPDATE,
)
async def update_issue(request: Request) -> Response:
    """UpdateIssue: the fields the body carries change -> ``{issue}``."""
    req = await parse_json(request, UPDATE)
    raw = await json_object(request)
    changes = IssueChanges(
        name=_present(raw, req, "name"),
        description=_present(raw, req, "description"),
        status=_present(raw, req, "status"),
        severity=_present(raw, req, "severity"),
        categories=list(req["categories"]) if raw.get("categories") is not None else None,
        last_seen_timestamp=req["last_seen_timestamp"],
        last_updated_by=_username(request) or req["last_updated_by"] or None,
        metadata=dict(req["metadata"] or {}),
        delete_metadata_keys=list(req["delete_metadata_keys"]),
    )
    issue_id = request.path_params["issue_id"]
    done = await call(_store(request).update_issue, issue_id, changes)
    return json_response({"issue": issue_to_json(done)})


@rpc(
    router,
    _P + "/search",
    "POST",
    access=on(READ, at.experiment(), "experiment"),
    response=SearchIssuesResponse,
    spec=SEARCH,
)
async def search_issues(request: Request) -> Response:
    """SearchIssues -> ``{issues, next_page_token?, total_count?}`` (100 a page by default)."""
    req = await parse_json(request, SEARCH)
    if not req["experiment_id"] and runtime(request).auth is not None:
        user = caller_user(request)
        if user is None or not user.is_admin:
            raise PermissionDeniedError("SearchIssues needs an experiment_id")
    view = req["view"] or "full"
    if view not in ("basic", "full"):
        raise InvalidArgumentError(f"Invalid view {view!r}: use basic or full")
    query = IssueQuery(
        experiment_id=req["experiment_id"] or None,
        filter_string=req["filter_string"] or None,
        max_results=100 if req["max_results"] is None else req["max_results"],
        page_token=req["page_token"] or None,
        include_trace_count=bool(req["include_trace_count"]),
        name=req["name"] or None,
        statuses=list(req["statuses"]),
        severities=list(req["severities"]),
        categories=list(req["categories"]),
        order_by=list(req["order_by"]),
        include_total_count=bool(req["include_total_count"]),
        basic=view == "basic",
    )
    page = await call(_store(request).search_issues, query)
    out: dict[str, Any] = {"issues": [issue_to_json(i) for i in page]}
    if page.token:
        out["next_page_token"] = page.token
    if page.total_count is not None:
        out["total_count"] = page.total_count
    return json_response(out)


@rpc(
    router,
    _A + "/traces",
    "GET",
    access=on(READ, at.issue(), "experiment of issue_id"),
    response=IssueTracesResponse,
    spec=TRACES,
)
async def issue_traces(request: Request) -> Response:
    """The traces an issue links, newest link first (``max_results``, 1000 by default)."""
    req = parse_get(request, TRACES)
    size = 1000 if req["max_results"] is None else req["max_results"]
    if not 1 <= size <= 10_000:
        raise InvalidArgumentError("max_results must be between 1 and 10000")
    found = await call(_store(request).linked_trace_ids, req["issue_id"], size)
    return json_response({"trace_ids": found})


@rpc(
    router,
    _A + "/link",
    "POST",
    access=on(EDIT, at.issue(), "experiment of issue_id"),
    response=IssueTracesResponse,
    spec=LINK,
)
async def link_traces(request: Request) -> Response:
    """Link traces of the issue's experiment -> ``{trace_ids, linked}`` (newly linked count)."""
    req = await parse_json(request, LINK)
    who = _username(request) or "default"
    store = _store(request)
    linked = await call(store.link_traces, req["issue_id"], req["trace_ids"], ("HUMAN", who))
    found = await call(store.linked_trace_ids, req["issue_id"])
    return json_response({"trace_ids": found, "linked": linked})


@rpc(
    router,
    _A + "/propose",
    "POST",
    access=on(READ, at.experiment(), "experiment"),
    response=IssueProposalsResponse,
    spec=PROPOSE,
)
async def propose(request: Request) -> Response:
    """Cluster failing judge rationales -> ``{proposals, failures, embedding}``."""
    req = await parse_json(request, PROPOSE)
    ask = ProposalRequest(
        experiment_id=req["experiment_id"],
        start_ms=req["start_time_ms"],
        end_ms=req["end_time_ms"],
        judge=req["judge"] or None,
        embedding_model=req["embedding_model"] or None,
        summary_model=req["summary_model"] or None,
        threshold=DEFAULT_THRESHOLD if req["threshold"] is None else req["threshold"],
        min_size=2 if req["min_size"] is None else req["min_size"],
        max_proposals=20 if req["max_proposals"] is None else req["max_proposals"],
        max_failures=10_000 if req["max_failures"] is None else req["max_failures"],
    )
    found = await call(propose_issues, _store(request), ask)
    return json_response(
        {
            "proposals": [proposal_to_json(p) for p in found.proposals],
            "failures": found.failures,
            "embedding": found.embedding,
        }
    )


@rpc(
    router,
    _A + "/accept",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=IssueResponse,
    spec=ACCEPT,
)
async def accept(request: Request) -> Response:
    """A proposal becomes an issue linked to its traces -> ``{issue}``."""
    req = await parse_json(request, ACCEPT)
    count = len(set(req["trace_ids"]))
    made = await call(
        accept_proposal,
        _store(request),
        req["experiment_id"],
        req["name"],
        req["trace_ids"],
        req["description"] or f"Proposed from failing judge verdicts on {count} traces.",
        _username(request),
    )
    return json_response({"issue": issue_to_json(made)})
