"""Metric-history answers (``/mlflow/metrics/*``)."""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Metric

__all__ = ["GetMetricHistoryResponse", "MetricsResponse"]


class GetMetricHistoryResponse(TypedDict):
    """GetMetricHistory: one page of one metric's points (without ``run_id``)."""

    metrics: list[Metric]
    next_page_token: NotRequired[str]


class MetricsResponse(TypedDict):
    """The bulk history reads: points of several runs, each with its ``run_id``."""

    metrics: list[Metric]
