"""Gateway usage over time: ``GET /ardea/gateway/usage`` (``/api/3.0`` and ``/ajax-api/3.0``).

Reads the per-minute usage rollup the gateway writes with its request traces
(:mod:`ardea.gateway.usage_rollup`) in the request's workspace, summed into ``bucket``s
(``minute``, ``hour`` or ``day``; UTC) and split by ``group_by`` (``endpoint``, ``key``,
``user`` or ``model``), with totals per group and overall.

Query parameters: ``start`` and ``end`` (ms since the epoch; ``end`` defaults to now,
``start`` to a day before ``end``), ``group_by`` (default ``endpoint``), ``bucket`` (default
``hour``), ``endpoint`` (one endpoint's usage, by name). At most :data:`MAX_BUCKETS` buckets;
bad parameters are a 400 ``INVALID_PARAMETER_VALUE``.

Access: a list of gateway endpoints. With ``--auth`` only the endpoints the caller may READ
count (filtered in SQL, as the endpoint list is).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, cast

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.gateway_usage import GatewayUsage
from ardea.entities.auth import ResourceType
from ardea.server.access import search
from ardea.server.deps import backend
from ardea.server.http import call, json_response, parse_get, rpc
from ardea.server.openapi_responses import STORE_ERRORS
from ardea.store.gateway_usage import (
    BUCKET_SECONDS,
    GROUP_BY,
    Bucket,
    GroupBy,
    UsageMeasures,
    UsagePoint,
)

__all__ = ["GET_GATEWAY_USAGE", "MAX_BUCKETS", "router", "usage_to_json"]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

MAX_BUCKETS = 1500
"""The most buckets one answer spans (e.g. a day of minutes, two months of hours)."""

_DAY_MS = 24 * 3600 * 1000

GET_GATEWAY_USAGE = RequestSpec(
    "GetGatewayUsage",
    {
        "start": Field("int64"),
        "end": Field("int64"),
        "group_by": Field("string"),
        "bucket": Field("string"),
        "endpoint": Field("string"),
    },
    {},
)
"""The query parameters of ``GET /ardea/gateway/usage``."""


def _measures(m: UsageMeasures) -> dict[str, Any]:
    return {
        "requests": m.requests,
        "errors": m.errors,
        "input_tokens": m.input_tokens,
        "output_tokens": m.output_tokens,
        "cost_usd": m.cost_micros / 1_000_000,
        "unpriced": m.unpriced,
        "latency_ms_avg": round(m.latency_ms_sum / m.requests, 3) if m.requests else None,
        "cache_hits": m.cache_hits,
        "fallbacks": m.fallbacks,
    }


def usage_to_json(
    points: list[UsagePoint], start_ms: int, end_ms: int, bucket: str, group_by: str
) -> dict[str, Any]:
    """The answer of ``GET /ardea/gateway/usage`` from the store's points (oldest first)."""
    groups: dict[str, tuple[list[dict[str, Any]], UsageMeasures]] = {}
    overall = UsageMeasures()
    for p in points:
        series, totals = groups.setdefault(p.group, ([], UsageMeasures()))
        series.append({"start_ms": p.bucket_start * 1000, **_measures(p.measures)})
        totals.add(p.measures)
        overall.add(p.measures)
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1][1].requests, kv[0]))
    return {
        "start_ms": start_ms,
        "end_ms": end_ms,
        "bucket": bucket,
        "bucket_ms": BUCKET_SECONDS[bucket] * 1000,
        "group_by": group_by,
        "groups": [
            {"group": g, "points": series, "totals": _measures(totals)}
            for g, (series, totals) in ordered
        ],
        "totals": _measures(overall),
    }


def _params(req: Mapping[str, Any]) -> tuple[int, int, str, str, str | None]:
    end = req["end"] if req["end"] is not None else int(time.time() * 1000)
    start = req["start"] if req["start"] is not None else end - _DAY_MS
    group_by = req["group_by"] or "endpoint"
    bucket = req["bucket"] or "hour"
    if group_by not in GROUP_BY:
        raise InvalidArgumentError(
            f"group_by must be one of {', '.join(GROUP_BY)}; got {group_by!r}"
        )
    if bucket not in BUCKET_SECONDS:
        raise InvalidArgumentError(
            f"bucket must be one of {', '.join(BUCKET_SECONDS)}; got {bucket!r}"
        )
    if start < 0 or end < 0:
        raise InvalidArgumentError("start and end must be milliseconds since the epoch (>= 0)")
    if start >= end:
        raise InvalidArgumentError(f"start ({start}) must be before end ({end})")
    size_ms = BUCKET_SECONDS[bucket] * 1000
    spans = -(-(end - start) // size_ms)
    if spans > MAX_BUCKETS:
        raise InvalidArgumentError(
            f"The range spans {spans} {bucket} buckets; at most {MAX_BUCKETS}: "
            "choose a larger bucket or a shorter range"
        )
    return start, end, group_by, bucket, req["endpoint"] or None


@rpc(
    router,
    "/ardea/gateway/usage",
    "GET",
    access=search(ResourceType.GATEWAY_ENDPOINT),
    response=GatewayUsage,
    errors=STORE_ERRORS,
    spec=GET_GATEWAY_USAGE,
)
async def get_gateway_usage(request: Request) -> Response:
    """Gateway requests, tokens, cost and latency over time, by endpoint, key, user or model."""
    start, end, group_by, bucket, endpoint = _params(parse_get(request, GET_GATEWAY_USAGE))
    stores = backend(request)
    size = BUCKET_SECONDS[bucket]
    points = await call(
        stores.gateway_usage.query,
        stores.workspace,
        start // 1000 // size * size,  # whole buckets: the first one starts at or before start
        -(-end // 1000),
        bucket=cast(Bucket, bucket),
        group_by=cast(GroupBy, group_by),
        endpoint=endpoint,
    )
    return json_response(usage_to_json(points, start, end, bucket, group_by))
