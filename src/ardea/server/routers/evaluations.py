"""Ardea's reads of logged evaluations for the web UI (``/api/3.0`` and ``/ajax-api/3.0``).

- ``GET /ardea/evaluations/summary?run_id=&statistics=``: per scorer, rows, missing, errors
  and the pass rate or the numeric ``statistics`` (repeated; default mean, median and p90)
  with 95% intervals (:func:`ardea.evaluation.stats.summarize`).
- ``GET /ardea/evaluations/results?run_id=``: the rows (one per linked trace) with each
  scorer's value, rationale and error, and the expectations.
- ``GET /ardea/evaluations/compare?baseline_run_id=&candidate_run_id=``: the paired comparison
  (:func:`ardea.evaluation.stats.compare_evaluations`), with the traces of every named row;
  ``correction`` (``holm``, ``bh``, ``none``) and ``alpha`` are optional.

The reading (run -> traces -> feedback) lives in :mod:`ardea.evaluation.logged`. Each route
needs READ on the experiment of every run it names; an unknown run is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.evaluations import (
    EvaluationComparisonResponse,
    EvaluationResultsResponse,
    EvaluationSummaryResponse,
)
from ardea.evaluation.logged import compare_logged, load_evaluation, summarize_logged
from ardea.server import access_targets as at
from ardea.server.access import READ, on
from ardea.server.deps import trace_store, tracking_store
from ardea.server.http import call, json_response, parse_get, rpc
from ardea.server.openapi_responses import STORE_ERRORS

__all__ = ["COMPARE_EVALUATIONS", "EVALUATION_RUN", "EVALUATION_SUMMARY", "router"]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

EVALUATION_RUN = RequestSpec("GetEvaluation", {"run_id": Field("string", required=True)}, {})
"""The query of the results route."""

EVALUATION_SUMMARY = RequestSpec(
    "GetEvaluationSummary",
    {"run_id": Field("string", required=True), "statistics": Field("string", repeated=True)},
    {},
)
"""The query of the summary route (``statistics``: numeric aggregates, default mean, median
and p90)."""

COMPARE_EVALUATIONS = RequestSpec(
    "CompareEvaluations",
    {
        "baseline_run_id": Field("string", required=True),
        "candidate_run_id": Field("string", required=True),
        "correction": Field("string"),
        "alpha": Field("double"),
    },
    {},
)
"""The query of the compare route."""


@rpc(
    router,
    "/ardea/evaluations/summary",
    "GET",
    access=on(READ, at.run(), "experiment of the run"),
    response=EvaluationSummaryResponse,
    errors=STORE_ERRORS,
    spec=EVALUATION_SUMMARY,
)
async def evaluation_summary(request: Request) -> Response:
    """An evaluation run's per-scorer aggregates with confidence intervals."""
    req = parse_get(request, EVALUATION_SUMMARY)
    statistics = req["statistics"] or ["mean", "median", "p90"]
    if len(statistics) > 10:
        raise InvalidArgumentError("at most 10 statistics may be asked for")
    evaluation = await call(
        load_evaluation, tracking_store(request), trace_store(request), req["run_id"]
    )
    return json_response(await call(summarize_logged, evaluation, statistics))


@rpc(
    router,
    "/ardea/evaluations/results",
    "GET",
    access=on(READ, at.run(), "experiment of the run"),
    response=EvaluationResultsResponse,
    errors=STORE_ERRORS,
    spec=EVALUATION_RUN,
)
async def evaluation_results(request: Request) -> Response:
    """An evaluation run's rows with every scorer's verdict and rationale."""
    req = parse_get(request, EVALUATION_RUN)
    ev = await call(load_evaluation, tracking_store(request), trace_store(request), req["run_id"])
    return json_response(
        {
            "run_id": ev.run_id,
            "experiment_id": ev.experiment_id,
            "run_name": ev.run_name,
            "is_evaluation": ev.is_evaluation,
            "scorers": ev.scorers,
            "rows": [row.to_dict() for row in ev.rows],
        }
    )


@rpc(
    router,
    "/ardea/evaluations/compare",
    "GET",
    access=on(
        READ,
        at.all_of(at.run("baseline_run_id"), at.run("candidate_run_id")),
        "experiments of both runs",
    ),
    response=EvaluationComparisonResponse,
    errors=STORE_ERRORS,
    spec=COMPARE_EVALUATIONS,
)
async def compare_evaluation_runs(request: Request) -> Response:
    """Two evaluation runs compared row by row, per scorer, with corrected p-values."""
    req = parse_get(request, COMPARE_EVALUATIONS)
    tracking, traces = tracking_store(request), trace_store(request)
    baseline = await call(load_evaluation, tracking, traces, req["baseline_run_id"])
    candidate = await call(load_evaluation, tracking, traces, req["candidate_run_id"])
    alpha = req["alpha"] if req["alpha"] is not None else 0.05
    correction = req["correction"] or "holm"
    answer = await call(compare_logged, baseline, candidate, correction=correction, alpha=alpha)
    return json_response(answer)
