"""Judge alignment records (``/api/3.0`` and ``/ajax-api/3.0``; Ardea's own, MLflow has none).

| Method + path | Answer |
|---|---|
| POST ``/ardea/judges/alignments/create`` | ``{alignment}`` (what ``ardea.align`` records) |
| GET ``/ardea/judges/alignments/list?experiment_id=[&name=]`` | ``{alignments}``, oldest first |
| GET ``/ardea/judges/alignments/get?experiment_id=&alignment_id=`` | ``{alignment}`` |

Access as the scorer registry's: READ on the experiment to list or get, EDIT to record. The
create body carries ``params_json``, ``labels_json``, ``before_json`` and ``after_json`` as JSON
strings; a bad field is a 400 and stores nothing; an unknown experiment, or a
``base_version``/``new_version`` that is not a registered version of the name, a 404.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea.api.alignment_json import alignment_to_json, parse_fields
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.alignments import JudgeAlignmentResponse, JudgeAlignmentsResponse
from ardea.entities.scorer import JudgeAlignment
from ardea.server import access_targets as at
from ardea.server.access import EDIT, READ, on
from ardea.server.deps import backend
from ardea.server.http import call, json_response, parse_get, parse_json, rpc

__all__ = ["router"]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_PATH = "/ardea/judges/alignments"
_EXP = Field("string", required=True)

CREATE_ALIGNMENT = RequestSpec(
    "CreateJudgeAlignment",
    {
        "experiment_id": _EXP,
        "name": Field("string", required=True),
        "optimizer": Field("string", required=True),
        "base_version": Field("int64"),
        "new_version": Field("int64"),
        "promoted": Field("bool"),
        "reason": Field("string"),
        "params_json": Field("string"),
        "labels_json": Field("string"),
        "before_json": Field("string"),
        "after_json": Field("string"),
    },
)
LIST_ALIGNMENTS = RequestSpec(
    "ListJudgeAlignments", {"experiment_id": _EXP, "name": Field("string")}
)
GET_ALIGNMENT = RequestSpec(
    "GetJudgeAlignment", {"experiment_id": _EXP, "alignment_id": Field("string", required=True)}
)


@rpc(
    router,
    _PATH + "/create",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=JudgeAlignmentResponse,
    spec=CREATE_ALIGNMENT,
)
async def create_judge_alignment(request: Request) -> Response:
    """Record an alignment run of a judge (promoted or rejected)."""
    req = await parse_json(request, CREATE_ALIGNMENT)
    fields = parse_fields(req)
    made = await call(
        backend(request).scorers.create_judge_alignment,
        JudgeAlignment(
            alignment_id="",
            experiment_id=req["experiment_id"],
            name=req["name"],
            optimizer=req["optimizer"],
            base_version=req["base_version"],
            new_version=req["new_version"],
            promoted=bool(req["promoted"]),
            reason=req["reason"] or "",
            creation_time=0,
            **fields,
        ),
    )
    return json_response({"alignment": alignment_to_json(made)})


@rpc(
    router,
    _PATH + "/list",
    "GET",
    access=on(READ, at.experiment(), "experiment"),
    response=JudgeAlignmentsResponse,
    spec=LIST_ALIGNMENTS,
)
async def list_judge_alignments(request: Request) -> Response:
    """The alignment runs of a judge (of every judge without ``name``), oldest first."""
    req = parse_get(request, LIST_ALIGNMENTS)
    found = await call(
        backend(request).scorers.list_judge_alignments, req["experiment_id"], req["name"] or None
    )
    return json_response({"alignments": [alignment_to_json(a) for a in found]})


@rpc(
    router,
    _PATH + "/get",
    "GET",
    access=on(READ, at.experiment(), "experiment"),
    response=JudgeAlignmentResponse,
    spec=GET_ALIGNMENT,
)
async def get_judge_alignment(request: Request) -> Response:
    """One alignment run of the experiment."""
    req = parse_get(request, GET_ALIGNMENT)
    found = await call(
        backend(request).scorers.get_judge_alignment, req["experiment_id"], req["alignment_id"]
    )
    return json_response({"alignment": alignment_to_json(found)})
