"""The judge builder's routes (``/api/3.0`` and ``/ajax-api/3.0``).

- ``POST /ardea/judges/preview``: run a draft ``make_judge`` judge on up to 50 traces of the
  experiment and answer each verdict beside the trace's human label, the agreement and the
  totals; nothing is stored (:mod:`ardea.evaluation.judge_preview`). EDIT on the experiment
  (it spends money); a trace of another experiment is a 404; a template that does not render,
  or a model whose provider has no credentials on the server, is a 400 before any LLM call.
- ``GET /ardea/judges/models``: the providers the server holds credentials for (names only)
  and the default judge model; any signed-in caller.

The model's credentials and base URL come only from the server's environment and
credentials file: the request has no field for either.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.judges import JudgeModelsResponse, JudgePreviewResponse
from ardea.evaluation.judge_preview import (
    JudgeDraft,
    build_draft_judge,
    load_preview_traces,
    preview_judge,
    server_providers,
)
from ardea.evaluation.scorers.judge import default_judge_model
from ardea.server import access_targets as at
from ardea.server.access import AUTHENTICATED, EDIT, on
from ardea.server.deps import trace_store
from ardea.server.http import call, json_response, parse_json, rpc
from ardea.server.openapi_responses import LOOKUP_ERRORS

__all__ = ["JUDGE_PREVIEW", "router"]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

JUDGE_PREVIEW = RequestSpec(
    "PreviewJudge",
    {
        "experiment_id": Field("string", required=True),
        "name": Field("string", required=True),
        "instructions": Field("string", required=True),
        "model": Field("string", required=True),
        "feedback_value_type": Field("string"),
        "categories": Field("string", repeated=True),
        "trace_ids": Field("string", repeated=True),
    },
    {},
)
"""The body of the preview route."""


@rpc(
    router,
    "/ardea/judges/preview",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=JudgePreviewResponse,
    errors=LOOKUP_ERRORS,
    spec=JUDGE_PREVIEW,
)
async def preview_draft_judge(request: Request) -> Response:
    """A draft judge run on chosen traces of the experiment, beside their human labels."""
    req = await parse_json(request, JUDGE_PREVIEW)
    draft = JudgeDraft(
        name=req["name"],
        instructions=req["instructions"],
        model=req["model"],
        feedback_value_type=req["feedback_value_type"],
        categories=tuple(req["categories"] or ()),
    )
    judge = await call(build_draft_judge, draft)
    traces = await call(
        load_preview_traces, trace_store(request), req["experiment_id"], req["trace_ids"] or []
    )
    return json_response(await preview_judge(judge, traces))


@rpc(
    router,
    "/ardea/judges/models",
    "GET",
    access=AUTHENTICATED,
    response=JudgeModelsResponse,
    errors=(500,),
)
async def list_judge_models(request: Request) -> Response:
    """The judge model providers the server can call (no keys, no URLs)."""
    return json_response(
        {"providers": await call(server_providers), "default_model": default_judge_model()}
    )
