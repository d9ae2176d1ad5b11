"""MLflow's assessment RPCs (feedback and expectations on traces), under ``/api/3.0``.

UpdateAssessment takes a FieldMask (``update_mask``, comma-joined lowerCamel or snake_case
paths, or ``{"paths": [...]}``) naming the fields to change.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_trace_json import assessment_from_json, assessment_to_json, check_trace_id
from ardea.api.request_parsing import check_json_content_type
from ardea.api.schemas.assessments import AssessmentResponse
from ardea.api.schemas.common import EmptyResponse
from ardea.server import access_targets as at
from ardea.server.access import (
    EDIT,
    READ,
    on,
)
from ardea.server.deps import trace_store
from ardea.server.http import call, empty, json_response, read_json_body, rpc
from ardea.server.openapi_responses import STORE_ERRORS

router = APIRouter()
"""Assessment routes, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_PATH = "/mlflow/traces/{trace_id}/assessments"
_ONE = _PATH + "/{assessment_id}"
_MASK_FIELDS = {
    "assessment_name": "name",
    "feedback": "value",
    "expectation": "value",
    "rationale": "rationale",
    "metadata": "metadata",
    "valid": "valid",
}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


async def _body(request: Request, *, strict: bool = True) -> dict[str, Any]:
    body = await read_json_body(request)
    if strict:
        check_json_content_type(request.headers.get("content-type"))
    if not body.strip():
        return {}
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidArgumentError(f"Request body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidArgumentError("Request body must be a JSON object.")
    return doc


@rpc(
    router,
    _PATH,
    "POST",
    access=on(EDIT, at.trace(), "experiment of the trace"),
    response=AssessmentResponse,
    errors=STORE_ERRORS,
)
async def create_assessment(request: Request) -> Response:
    """CreateAssessment ``{assessment}`` -> ``{assessment}`` with its id."""
    trace_id = check_trace_id(request.path_params["trace_id"])
    doc = await _body(request)
    if "assessment" not in doc:
        raise InvalidArgumentError("Missing value for required parameter 'assessment'.")
    assessment = assessment_from_json(doc["assessment"], trace_id)
    stored = await call(trace_store(request).create_assessment, assessment)
    return json_response({"assessment": assessment_to_json(stored)})


@rpc(
    router,
    _ONE,
    "GET",
    access=on(READ, at.trace(), "experiment of the trace"),
    response=AssessmentResponse,
    errors=STORE_ERRORS,
)
async def get_assessment(request: Request) -> Response:
    """GetAssessment -> ``{assessment}``."""
    trace_id = check_trace_id(request.path_params["trace_id"])
    a = await call(
        trace_store(request).get_assessment, trace_id, request.path_params["assessment_id"]
    )
    return json_response({"assessment": assessment_to_json(a)})


def _mask_paths(mask: Any) -> list[str]:
    if isinstance(mask, dict):
        mask = mask.get("paths") or []
    if isinstance(mask, str):
        mask = [p for p in mask.split(",") if p.strip()]
    if not isinstance(mask, list) or not all(isinstance(p, str) for p in mask):
        raise InvalidArgumentError("'update_mask' must be a comma-separated list of fields.")
    return [_CAMEL.sub("_", p.strip()).lower() for p in mask]


def _changes(new: Any, paths: list[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for path in paths:
        target = _MASK_FIELDS.get(path)
        if target is None:
            raise InvalidArgumentError(f"Field {path!r} of an assessment cannot be updated.")
        if target == "value":
            changes["value"] = new.value
            if path == "feedback":  # a feedback's value and error change together (MLflow)
                changes["error"] = new.error
        else:
            changes[target] = getattr(new, target)
    return changes


@rpc(
    router,
    _ONE,
    "PATCH",
    access=on(EDIT, at.trace(), "experiment of the trace"),
    response=AssessmentResponse,
    errors=STORE_ERRORS,
)
async def update_assessment(request: Request) -> Response:
    """UpdateAssessment ``{assessment, update_mask}`` -> ``{assessment}``."""
    trace_id = check_trace_id(request.path_params["trace_id"])
    assessment_id = request.path_params["assessment_id"]
    doc = await _body(request, strict=False)
    raw = doc.get("assessment")
    if not isinstance(raw, dict):
        raise InvalidArgumentError("Missing value for required parameter 'assessment'.")
    paths = _mask_paths(doc.get("update_mask") or [])
    store = trace_store(request)
    current = await call(store.get_assessment, trace_id, assessment_id)
    merged = {**assessment_to_json(current), **raw}
    if "feedback" in raw:
        merged.pop("expectation", None)
    if "expectation" in raw:
        merged.pop("feedback", None)
    new = assessment_from_json(merged, trace_id)
    if new.kind != current.kind:
        raise InvalidArgumentError("An assessment cannot change between feedback and expectation.")
    updated = await call(store.update_assessment, trace_id, assessment_id, _changes(new, paths))
    return json_response({"assessment": assessment_to_json(updated)})


@rpc(
    router,
    _ONE,
    "DELETE",
    access=on(EDIT, at.trace(), "experiment of the trace"),
    response=EmptyResponse,
    errors=STORE_ERRORS,
)
async def delete_assessment(request: Request) -> Response:
    """DeleteAssessment -> ``{}``."""
    trace_id = check_trace_id(request.path_params["trace_id"])
    await call(
        trace_store(request).delete_assessment, trace_id, request.path_params["assessment_id"]
    )
    return empty()
