"""Ardea's gateway usage read: ``GET /ardea/gateway/usage`` (series and totals)."""

from __future__ import annotations

from typing_extensions import TypedDict

from ardea.api.schemas.common import Int64

__all__ = ["GatewayUsage", "GatewayUsageGroup", "GatewayUsageMeasures", "GatewayUsagePoint"]


class GatewayUsageMeasures(TypedDict):
    """What a set of gateway requests added up to.

    ``cost_usd`` sums the priced requests only; ``unpriced`` counts the requests with tokens
    whose model has no price (their cost is unknown, not 0). ``latency_ms_avg`` is ``null``
    when there was no request.
    """

    requests: Int64
    errors: Int64
    input_tokens: Int64
    output_tokens: Int64
    cost_usd: float
    unpriced: Int64
    latency_ms_avg: float | None
    cache_hits: Int64
    fallbacks: Int64


class GatewayUsagePoint(GatewayUsageMeasures):
    """One bucket of one group: its start (ms since the epoch, UTC) and its sums."""

    start_ms: Int64


class GatewayUsageGroup(TypedDict):
    """One group's series (buckets with requests only, oldest first) and its totals.

    ``group`` is an endpoint name, a key id, a user name or ``provider/model``, by
    ``group_by``; ``""`` for requests without one (no key, an anonymous caller).
    """

    group: str
    points: list[GatewayUsagePoint]
    totals: GatewayUsageMeasures


class GatewayUsage(TypedDict):
    """Gateway usage over ``[start_ms, end_ms)``, in ``bucket``s, split by ``group_by``."""

    start_ms: Int64
    end_ms: Int64
    bucket: str
    bucket_ms: Int64
    group_by: str
    groups: list[GatewayUsageGroup]
    totals: GatewayUsageMeasures
