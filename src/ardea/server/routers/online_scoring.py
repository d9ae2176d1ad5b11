"""Online scoring routes (Ardea's own, ``/api/3.0`` and ``/ajax-api/3.0``).

| Route | What | Access |
|---|---|---|
| POST ``/ardea/online-scoring/claim`` | claim up to ``max_items`` rows of ``experiment_ids`` for ``worker_id`` under a lease (``ardea scorer-worker``) | EDIT on each experiment |
| POST ``/ardea/online-scoring/complete`` | store the row's ``assessments`` and mark it done (one transaction) -> ``{accepted}`` | EDIT on the trace's experiment |
| POST ``/ardea/online-scoring/fail`` | give the row back (``retry_in_seconds``) or fail it, with ``error`` -> ``{accepted}`` | EDIT on the trace's experiment |
| POST ``/ardea/online-scoring/backfill`` | enqueue the experiment's traces of a time range -> ``{traces, enqueued}`` | EDIT on the experiment |
| GET ``/ardea/online-scoring/status`` | rows by state, backlog and the degraded sample rate | READ on the experiment |

A completion or failure from a worker that no longer holds the claim (its lease lapsed and
another worker took the row) is answered ``{"accepted": false}`` and changes nothing.
"""  # noqa: E501

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_trace_json import assessment_from_json, check_trace_id
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.online_scoring import (
    BackfillResponse,
    ClaimResponse,
    DoneResponse,
    OnlineScoringStatusResponse,
)
from ardea.entities.online_scoring import KIND_CODE, KIND_JUDGE, ClaimedWork, WorkKey
from ardea.server import access_targets as at
from ardea.server.access import EDIT, READ, on
from ardea.server.deps import backend, runtime
from ardea.server.http import call, json_response, parse_get, parse_json, read_json_body, rpc
from ardea.server.openapi_responses import STORE_ERRORS
from ardea.services.online_scoring import backfill

__all__ = ["router"]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_PATH = "/ardea/online-scoring"
MAX_CLAIM = 100
"""Most rows one claim takes."""
MAX_LEASE_SECONDS = 3600
"""Longest lease a worker may ask for."""
MAX_ASSESSMENTS = 100
"""Most assessments one completion stores."""

CLAIM = RequestSpec(
    "ClaimOnlineScoringWork",
    {
        "worker_id": Field("string", required=True),
        "experiment_ids": Field("string", repeated=True, required=True),
        "max_items": Field("int64"),
        "lease_seconds": Field("double"),
        "kinds": Field("string", repeated=True),
    },
)
_KEY = {
    "worker_id": Field("string", required=True),
    "trace_id": Field("string", required=True),
    "scorer_id": Field("string", required=True),
    "scorer_version": Field("int64", required=True),
}
COMPLETE = RequestSpec("CompleteOnlineScoringWork", dict(_KEY))
FAIL = RequestSpec(
    "FailOnlineScoringWork",
    {**_KEY, "error": Field("string", required=True), "retry_in_seconds": Field("double")},
)
BACKFILL = RequestSpec(
    "BackfillOnlineScoring",
    {
        "experiment_id": Field("string", required=True),
        "start_time_ms": Field("int64", required=True),
        "end_time_ms": Field("int64", required=True),
        "scorer_names": Field("string", repeated=True),
    },
)
STATUS = RequestSpec("GetOnlineScoringStatus", {"experiment_id": Field("string", required=True)})


def _work_json(work: ClaimedWork) -> dict[str, Any]:
    return {
        "trace_id": work.key.trace_id,
        "scorer_id": work.key.scorer_id,
        "scorer_version": work.key.scorer_version,
        "experiment_id": work.experiment_id,
        "scorer_name": work.name,
        "serialized_scorer": work.serialized_scorer,
        "kind": work.kind,
        "attempts": work.attempts,
        "lease_until": work.lease_until,
    }


def _key(req: dict[str, Any]) -> WorkKey:
    version = req["scorer_version"]
    if not isinstance(version, int) or version < 1:
        raise InvalidArgumentError("'scorer_version' must be a positive integer")
    return WorkKey(check_trace_id(req["trace_id"]), req["scorer_id"], version)


@rpc(
    router,
    _PATH + "/claim",
    "POST",
    access=on(EDIT, at.experiments(), "experiment_ids"),
    response=ClaimResponse,
    errors=STORE_ERRORS,
    spec=CLAIM,
)
async def claim_work(request: Request) -> Response:
    """Claim runnable rows of the experiments (code and judge rows unless ``kinds`` says)."""
    req = await parse_json(request, CLAIM)
    limit = req["max_items"] or 10
    lease = req["lease_seconds"] or 60.0
    if not 1 <= limit <= MAX_CLAIM:
        raise InvalidArgumentError(f"'max_items' must be between 1 and {MAX_CLAIM}")
    if not 1 <= lease <= MAX_LEASE_SECONDS:
        raise InvalidArgumentError(f"'lease_seconds' must be between 1 and {MAX_LEASE_SECONDS}")
    kinds = req["kinds"] or [KIND_CODE, KIND_JUDGE]
    if any(k not in (KIND_CODE, KIND_JUDGE) for k in kinds):
        raise InvalidArgumentError(f"'kinds' may hold only {KIND_CODE!r} and {KIND_JUDGE!r}")
    stores = backend(request)
    for experiment_id in req["experiment_ids"]:
        await call(stores.tracking.get_experiment, experiment_id)  # 404 before claiming
    claimed = await call(
        stores.online_scoring.claim,
        req["worker_id"],
        kinds=kinds,
        limit=limit,
        lease_seconds=lease,
        experiment_ids=req["experiment_ids"],
    )
    return json_response({"work": [_work_json(w) for w in claimed]})


@rpc(
    router,
    _PATH + "/complete",
    "POST",
    access=on(EDIT, at.trace(), "experiment of the trace"),
    response=DoneResponse,
    errors=STORE_ERRORS,
    spec=COMPLETE,
)
async def complete_work(request: Request) -> Response:
    """Store ``assessments`` (MLflow's assessment JSON) and mark the row done."""
    req = await parse_json(request, COMPLETE)
    key = _key(req)
    doc = orjson.loads(await read_json_body(request))
    given = doc.get("assessments") if isinstance(doc, dict) else None
    if not isinstance(given, list) or not 1 <= len(given) <= MAX_ASSESSMENTS:
        raise InvalidArgumentError(
            f"'assessments' must be a list of 1 to {MAX_ASSESSMENTS} assessments"
        )
    assessments = [assessment_from_json(a, key.trace_id) for a in given]
    if any(a.kind != "feedback" for a in assessments):
        raise InvalidArgumentError("A scorer's assessments must be feedback")
    accepted = await call(
        backend(request).online_scoring.complete, key, req["worker_id"], assessments
    )
    return json_response({"accepted": bool(accepted)})


@rpc(
    router,
    _PATH + "/fail",
    "POST",
    access=on(EDIT, at.trace(), "experiment of the trace"),
    response=DoneResponse,
    errors=STORE_ERRORS,
    spec=FAIL,
)
async def fail_work(request: Request) -> Response:
    """Give the row back (pending after ``retry_in_seconds``) or fail it for good."""
    req = await parse_json(request, FAIL)
    retry = req["retry_in_seconds"]
    if retry is not None and not 0 <= retry <= MAX_LEASE_SECONDS:
        raise InvalidArgumentError(f"'retry_in_seconds' must be between 0 and {MAX_LEASE_SECONDS}")
    accepted = await call(
        backend(request).online_scoring.fail,
        _key(req),
        req["worker_id"],
        req["error"],
        retry_in=retry,
    )
    return json_response({"accepted": bool(accepted)})


@rpc(
    router,
    _PATH + "/backfill",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=BackfillResponse,
    errors=STORE_ERRORS,
    spec=BACKFILL,
)
async def backfill_traces(request: Request) -> Response:
    """Enqueue the experiment's ended traces that started between the two times."""
    req = await parse_json(request, BACKFILL)
    start, end = req["start_time_ms"], req["end_time_ms"]
    if start < 0 or end < start:
        raise InvalidArgumentError("'start_time_ms' must be >= 0 and <= 'end_time_ms'")
    stores = backend(request)
    await call(stores.tracking.get_experiment, req["experiment_id"])
    online = runtime(request).online
    if online is None:
        raise InvalidArgumentError("This server's backend has no online scoring")
    seen, added = await call(
        backfill,
        stores,
        req["experiment_id"],
        start,
        end,
        req["scorer_names"] or (),
    )
    if added:
        online.wake()
    return json_response({"traces": seen, "enqueued": added})


@rpc(
    router,
    _PATH + "/status",
    "GET",
    access=on(READ, at.experiment(), "experiment"),
    response=OnlineScoringStatusResponse,
    errors=STORE_ERRORS,
    spec=STATUS,
)
async def online_scoring_status(request: Request) -> Response:
    """The experiment's rows by state, and this server's backlog and sampling factor."""
    req = parse_get(request, STATUS)
    stores = backend(request)
    await call(stores.tracking.get_experiment, req["experiment_id"])
    counts = await call(stores.online_scoring.counts, req["experiment_id"])
    online = runtime(request).online
    state = online.status() if online is not None else {}
    return json_response(
        {
            "counts": counts,
            "enabled": bool(state.get("enabled", False)),
            "running": bool(state.get("running", False)),
            "backlog": int(state.get("backlog", 0)),
            "max_backlog": int(state.get("max_backlog", 0)),
            "degrade_factor": float(state.get("degrade_factor", 1.0)),
            "degraded": bool(state.get("degraded", False)),
        }
    )
