"""MLflow's trace analytics RPCs (``/api/3.0`` and ``/ajax-api/3.0``).

- QueryTraceMetrics ``POST /mlflow/traces/metrics``: one metric of traces, spans or
  assessments, aggregated per dimension and time bucket (see
  :mod:`ardea.store.trace_metrics_query` for what may be asked). ``page_token`` is accepted
  and ignored: every answer is one page of at most ``max_results`` (default 1,000) points.
- CalculateTraceFilterCorrelation ``POST /mlflow/traces/calculate-filter-correlation``: the
  NPMI of two trace filters (the trace search grammar) over the experiments' traces.

Bad requests (an unknown metric, aggregation, dimension or filter) are 400
``INVALID_PARAMETER_VALUE``; unknown experiments match no trace.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea.api.mlflow_trace_metrics_json import (
    CALCULATE_TRACE_FILTER_CORRELATION,
    QUERY_TRACE_METRICS,
    correlation_to_json,
    data_point_to_json,
    query_from_request,
)
from ardea.api.schemas.trace_queries import (
    CalculateTraceFilterCorrelationResponse,
    QueryTraceMetricsResponse,
)
from ardea.entities.auth import ResourceType
from ardea.server.access import (
    search,
)
from ardea.server.deps import trace_store
from ardea.server.http import call, json_response, parse_json, rpc
from ardea.server.openapi_responses import INPUT_ERRORS
from ardea.store.trace_metrics_query import MAX_RESULTS_DEFAULT

__all__ = ["router"]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_ERRORS = (*INPUT_ERRORS, 501)


@rpc(
    router,
    "/mlflow/traces/metrics",
    "POST",
    access=search(ResourceType.EXPERIMENT),
    response=QueryTraceMetricsResponse,
    errors=_ERRORS,
    spec=QUERY_TRACE_METRICS,
)
async def query_trace_metrics(request: Request) -> Response:
    """QueryTraceMetrics -> ``{data_points: [{metric_name, dimensions, values}]}``."""
    req = await parse_json(request, QUERY_TRACE_METRICS)
    query = query_from_request(req, MAX_RESULTS_DEFAULT)
    points = await call(trace_store(request).query_trace_metrics, query)
    return json_response({"data_points": [data_point_to_json(p) for p in points]})


@rpc(
    router,
    "/mlflow/traces/calculate-filter-correlation",
    "POST",
    access=search(ResourceType.EXPERIMENT),
    response=CalculateTraceFilterCorrelationResponse,
    errors=_ERRORS,
    spec=CALCULATE_TRACE_FILTER_CORRELATION,
)
async def calculate_trace_filter_correlation(request: Request) -> Response:
    """CalculateTraceFilterCorrelation -> counts and NPMI (left out when undefined)."""
    req = await parse_json(request, CALCULATE_TRACE_FILTER_CORRELATION)
    result = await call(
        trace_store(request).calculate_trace_filter_correlation,
        req["experiment_ids"],
        req["filter_string1"],
        req["filter_string2"],
        req["base_filter"] or None,
    )
    return json_response(correlation_to_json(result))
