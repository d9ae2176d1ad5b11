"""Ardea's trace metrics: ``GET /ardea/experiments/{experiment_id}/trace-metrics`` (``/api/3.0``).

The experiment overview charts traces over time without shipping them to the browser: the
server splits ``[start_ms, end_ms)`` into ``buckets`` equal slices and answers, per slice,
the trace count, error count, latency p50/p90/p99 (ms), input and output tokens and cost,
plus the same over the whole range (``totals``) and, per feedback name, the pass rate over
the range and per slice (see :mod:`ardea.store.sql.traces.metrics`).

``GET /ardea/experiments/{experiment_id}/quality`` answers quality over time: each judge's
pass rate per slice with its Wilson interval (``confidence``, default 0.95), optionally per
group (``group_by``: ``prompt``, ``model`` or ``tag:<key>``; see
:mod:`ardea.store.sql.traces.quality`).

Query parameters: ``start_ms`` (default ``end_ms`` minus 24 hours), ``end_ms`` (default now)
and ``buckets`` (1 to 1,000, default 60). An unknown experiment is a 404
``RESOURCE_DOES_NOT_EXIST``, bad parameters a 400 ``INVALID_PARAMETER_VALUE``.
"""

from __future__ import annotations

import time

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.quality_json import quality_to_json
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.ardea_traces import TraceMetrics
from ardea.api.schemas.quality import QualityResponse
from ardea.api.trace_metrics_json import trace_metrics_to_json
from ardea.server import access_targets as at
from ardea.server.access import (
    READ,
    on,
)
from ardea.server.deps import trace_store
from ardea.server.http import call, json_response, parse_get, rpc
from ardea.server.openapi_responses import STORE_ERRORS

__all__ = [
    "DEFAULT_BUCKETS",
    "DEFAULT_RANGE_MS",
    "GET_QUALITY",
    "GET_TRACE_METRICS",
    "router",
]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

DEFAULT_BUCKETS = 60
"""Buckets when the request names none."""
DEFAULT_RANGE_MS = 24 * 3600 * 1000
"""The range when the request gives no ``start_ms``: the day before ``end_ms``."""

GET_TRACE_METRICS = RequestSpec(
    "GetTraceMetrics",
    {"start_ms": Field("int64"), "end_ms": Field("int64"), "buckets": Field("int64")},
    {},
)
"""The query parameters of ``GET /ardea/experiments/{experiment_id}/trace-metrics``."""


@rpc(
    router,
    "/ardea/experiments/{experiment_id}/trace-metrics",
    "GET",
    access=on(READ, at.experiment(), "experiment"),
    response=TraceMetrics,
    errors=STORE_ERRORS,
    spec=GET_TRACE_METRICS,
)
async def get_trace_metrics(request: Request) -> Response:
    """Per-bucket trace counts, errors, latency percentiles, tokens, cost; pass rates."""
    experiment_id = request.path_params["experiment_id"]
    req = parse_get(request, GET_TRACE_METRICS)
    end = req["end_ms"] if req["end_ms"] is not None else int(time.time() * 1000)
    start = req["start_ms"] if req["start_ms"] is not None else end - DEFAULT_RANGE_MS
    n = req["buckets"] if req["buckets"] is not None else DEFAULT_BUCKETS
    m = await call(trace_store(request).trace_metrics, experiment_id, start, end, n)
    return json_response(trace_metrics_to_json(m))


GET_QUALITY = RequestSpec(
    "GetQuality",
    {
        "start_ms": Field("int64"),
        "end_ms": Field("int64"),
        "buckets": Field("int64"),
        "group_by": Field("string"),
        "confidence": Field("double"),
    },
    {},
)
"""The query parameters of ``GET /ardea/experiments/{experiment_id}/quality``."""


@rpc(
    router,
    "/ardea/experiments/{experiment_id}/quality",
    "GET",
    access=on(READ, at.experiment(), "experiment"),
    response=QualityResponse,
    errors=STORE_ERRORS,
    spec=GET_QUALITY,
)
async def get_quality(request: Request) -> Response:
    """Each judge's pass rate per bucket (and group), with Wilson intervals."""
    experiment_id = request.path_params["experiment_id"]
    req = parse_get(request, GET_QUALITY)
    confidence = 0.95 if req["confidence"] is None else req["confidence"]
    if not 0.5 <= confidence < 1.0:
        raise InvalidArgumentError(f"'confidence' must be in [0.5, 1), got {confidence}")
    end = req["end_ms"] if req["end_ms"] is not None else int(time.time() * 1000)
    start = req["start_ms"] if req["start_ms"] is not None else end - DEFAULT_RANGE_MS
    n = req["buckets"] if req["buckets"] is not None else DEFAULT_BUCKETS
    group_by = req["group_by"] or ""
    m = await call(trace_store(request).quality_metrics, experiment_id, start, end, n, group_by)
    return json_response(quality_to_json(m, confidence))
