"""The gateway's Prometheus metrics (``prometheus-client``), on a registry of their own.

Each :class:`GatewayMetrics` owns a ``CollectorRegistry`` (two apps in one process, as in
tests, do not collide); :meth:`GatewayMetrics.exposition` renders it for ``GET /metrics``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE", "GatewayMetrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
"""The ``Content-Type`` of the text exposition format."""

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_OVERHEAD_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.1)


class GatewayMetrics:
    """Counters and histograms of gateway traffic.

    Labels are the endpoint name, the provider, the model and the outcome ``status`` (the
    HTTP status answered), all bounded by the configuration, never by the caller's input
    (an unknown endpoint counts under ``endpoint=""``).
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "ardea_gateway_requests",
            "Gateway requests answered",
            ["endpoint", "provider", "model", "status"],
            registry=r,
        )
        self.errors = Counter(
            "ardea_gateway_errors",
            "Gateway requests answered with an error",
            ["endpoint", "kind"],
            registry=r,
        )
        self.latency = Histogram(
            "ardea_gateway_request_seconds",
            "Gateway request latency, provider included",
            ["endpoint"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.overhead = Histogram(
            "ardea_gateway_overhead_seconds",
            "Time the gateway itself spent on a request (latency minus the provider's)",
            ["endpoint"],
            buckets=_OVERHEAD_BUCKETS,
            registry=r,
        )
        self.tokens = Counter(
            "ardea_gateway_tokens",
            "Tokens through the gateway",
            ["endpoint", "provider", "model", "direction"],
            registry=r,
        )
        self.cost = Counter(
            "ardea_gateway_cost_usd",
            "Cost of gateway traffic in USD (priced models only)",
            ["endpoint", "provider", "model"],
            registry=r,
        )
        self.unpriced = Counter(
            "ardea_gateway_unpriced_calls",
            "Calls whose model has no price (their cost is unknown, not counted as $0)",
            ["endpoint", "provider", "model"],
            registry=r,
        )
        self.cache_hits = Counter(
            "ardea_gateway_cache_hits",
            "Answers served from the response cache",
            ["endpoint"],
            registry=r,
        )
        self.fallbacks = Counter(
            "ardea_gateway_fallbacks", "Attempts moved to the next target", ["endpoint"], registry=r
        )
        self.retries = Counter(
            "ardea_gateway_retries", "Retries of the same target", ["endpoint"], registry=r
        )
        self.traces_dropped = Counter(
            "ardea_gateway_traces_dropped",
            "Request traces dropped (queue full, or the trace store failed)",
            ["reason"],
            registry=r,
        )
        self.traces_written = Counter(
            "ardea_gateway_traces_written", "Request traces written", registry=r
        )

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)
