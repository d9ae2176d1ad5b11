"""MLflow metric-history RPCs: one metric of one run, sampled bulk intervals, ajax bulk."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api import mlflow_requests as rq
from ardea.api.mlflow_json import metric_to_json
from ardea.api.schemas.metrics import GetMetricHistoryResponse, MetricsResponse
from ardea.entities import Metric
from ardea.server import access_targets as at
from ardea.server.access import (
    READ,
    on,
)
from ardea.server.deps import tracking_store
from ardea.server.http import call, json_response, parse_get, rpc
from ardea.store.tracking import TrackingStore

router = APIRouter()
"""Metric routes, mounted under ``/api/2.0`` and ``/ajax-api/2.0``."""

ajax_router = APIRouter()
"""Metric routes the MLflow UI uses, mounted under ``/ajax-api/2.0`` only."""

MAX_RUNS_PER_BULK_REQUEST = 100
"""At most this many runs in one bulk metric-history request."""
MAX_RESULTS_PER_RUN = 2500
"""Default and maximum points per run of get-history-bulk-interval."""
MAX_BULK_HISTORY_RESULTS = 25000
"""Default and maximum points per run of the ajax get-history-bulk."""


@rpc(
    router,
    "/mlflow/metrics/get-history",
    "GET",
    access=on(READ, at.run(), "experiment of the run"),
    response=GetMetricHistoryResponse,
    spec=rq.GET_METRIC_HISTORY,
)
async def get_metric_history(request: Request) -> Response:
    """GetMetricHistory -> ``{metrics, next_page_token}`` (metrics without run_id)."""
    req = parse_get(request, rq.GET_METRIC_HISTORY)
    max_results = req["max_results"]
    if max_results is not None and max_results <= 0:
        raise InvalidArgumentError(
            f"Invalid value {max_results} for parameter 'max_results' supplied. "
            "It must be a positive integer."
        )
    page = await call(
        tracking_store(request).get_metric_history,
        req["run_id"],
        req["metric_key"],
        max_results=max_results,
        page_token=req["page_token"] or None,
    )
    out: dict[str, Any] = {"metrics": [metric_to_json(m) for m in page]}
    if page.token:
        out["next_page_token"] = page.token
    return json_response(out)


@rpc(
    router,
    "/mlflow/metrics/get-history-bulk-interval",
    "GET",
    access=on(READ, at.runs(), "experiments of the runs"),
    response=MetricsResponse,
    spec=rq.GET_METRIC_HISTORY_BULK_INTERVAL,
)
async def get_metric_history_bulk_interval(request: Request) -> Response:
    """GetMetricHistoryBulkInterval -> ``{metrics}`` (each with run_id), sampled per run."""
    req = parse_get(request, rq.GET_METRIC_HISTORY_BULK_INTERVAL)
    run_ids = req["run_ids"]
    if len(run_ids) > MAX_RUNS_PER_BULK_REQUEST:
        raise InvalidArgumentError(
            f"GetMetricHistoryBulkInterval request must specify at most "
            f"{MAX_RUNS_PER_BULK_REQUEST} run_ids. Received {len(run_ids)} run_ids."
        )
    max_results = req["max_results"] if req["max_results"] is not None else MAX_RESULTS_PER_RUN
    if not 1 <= max_results <= MAX_RESULTS_PER_RUN:
        raise InvalidArgumentError(f"max_results must be between 1 and {MAX_RESULTS_PER_RUN}.")
    start, end = req["start_step"], req["end_step"]
    if (start is None) != (end is None):
        raise InvalidArgumentError(
            "If either start step or end step are specified, both must be specified."
        )
    if start is not None and end is not None and start > end:
        raise InvalidArgumentError(
            "end_step must be greater than start_step. "
            f"Found start_step={start} and end_step={end}."
        )
    points = await call(
        tracking_store(request).get_metric_history_bulk_interval,
        run_ids,
        req["metric_key"],
        max_results=max_results,
        start_step=start,
        end_step=end,
    )
    return json_response({"metrics": [metric_to_json(m, with_run_id=True) for m in points]})


def _bulk_history(
    store: TrackingStore, run_ids: list[str], key: str, max_results: int
) -> list[Metric]:
    out: list[Metric] = []
    for run_id in sorted(set(run_ids)):
        for m in store.get_metric_history(run_id, key, max_results=max_results):
            m.run_id = run_id
            out.append(m)
    return out


@rpc(
    ajax_router,
    "/mlflow/metrics/get-history-bulk",
    "GET",
    access=on(READ, at.runs("run_id"), "experiments of the runs"),
    response=MetricsResponse,
    spec=rq.GET_METRIC_HISTORY_BULK,
)
async def get_metric_history_bulk(request: Request) -> Response:
    """The UI's bulk history: ``run_id`` repeated, ``metric_key`` -> ``{metrics}``."""
    req = parse_get(request, rq.GET_METRIC_HISTORY_BULK)
    run_ids = req["run_id"]
    if not run_ids:
        raise InvalidArgumentError("GetMetricHistoryBulk request must specify at least one run_id.")
    if len(run_ids) > MAX_RUNS_PER_BULK_REQUEST:
        raise InvalidArgumentError(
            f"GetMetricHistoryBulk request cannot specify more than "
            f"{MAX_RUNS_PER_BULK_REQUEST} run_ids. Received {len(run_ids)} run_ids."
        )
    if req["metric_key"] is None:
        raise InvalidArgumentError("GetMetricHistoryBulk request must specify a metric_key.")
    limit = req["max_results"] if req["max_results"] is not None else MAX_BULK_HISTORY_RESULTS
    limit = max(1, min(limit, MAX_BULK_HISTORY_RESULTS))
    points = await call(_bulk_history, tracking_store(request), run_ids, req["metric_key"], limit)
    return json_response({"metrics": [metric_to_json(m, with_run_id=True) for m in points]})
