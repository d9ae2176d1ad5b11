"""The server's Prometheus metrics (``prometheus-client``), served at ``GET /metrics``.

:class:`ServerMetrics` owns one ``CollectorRegistry`` per app (two apps in one process, as in
tests, never collide). The door (:class:`~ardea.server.door.RequestDoor`) times every request
and calls :meth:`ServerMetrics.observe`; its labels are bounded by the routes, never by what
a client sends: the route *template* (``/api/3.0/mlflow/traces/{trace_id}``, not the trace
id), the method and the status class (``2xx``). Paths no route serves count as
``/gateway/*``, ``/endpoints/*``, ``{unknown}`` (under the API prefixes) or ``{ui}``.

Gauges that describe the server's state (in-flight requests, the SQLite writer's queue, the
connection pools) are read when they are scraped (:meth:`ServerMetrics.refresh`). Dropped
spans are counted from where they are dropped: the gateway's request-trace queue and the
server's own tracer's export queue. The gateway's metrics (``ardea_gateway_*``, their own
registry) are served by the same ``/metrics``.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``ardea server --workers N`` sets it), every worker
writes its values to that folder and a scrape, whichever worker answers it, reads all of
them (prometheus-client's multiprocess mode). Gauges are then summed over the live workers,
each worker refreshes its own every :data:`REFRESH_SECONDS`, and the process metrics
(``process_*``, ``python_gc_*``) are left out: prometheus-client cannot merge them.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    GC_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ardea._core.env import PROMETHEUS_MULTIPROC_DIR
from ardea.server.route_table import API_PREFIXES

if TYPE_CHECKING:
    from starlette.requests import Request

    from ardea.server.route_table import RouteTable
    from ardea.store.sql._db.engine import Database

__all__ = ["CONTENT_TYPE", "REFRESH_SECONDS", "ServerMetrics", "count_ingest", "multiprocess_dir"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
"""The ``Content-Type`` of the text exposition format."""

REFRESH_SECONDS = 5.0
"""In multiprocess mode, how often each worker writes its gauges."""

SCOPE_KEY = "ardea.metrics"
"""The ASGI scope key under which the door leaves the app's :class:`ServerMetrics`."""

_DURATION_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
)  # fmt: skip
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_STATUS_CLASSES = ("1xx", "1xx", "2xx", "3xx", "4xx", "5xx")
_MAX_CACHED_PATHS = 4096
_PREFIX_ROUTES = (
    ("/gateway/", "/gateway/*"),
    ("/endpoints/", "/endpoints/*"),
    ("/api/2.0/endpoints", "/api/2.0/endpoints/*"),
)


def multiprocess_dir() -> str | None:
    """``PROMETHEUS_MULTIPROC_DIR`` when set (multiprocess mode), else None."""
    return os.environ.get(PROMETHEUS_MULTIPROC_DIR) or None


def count_ingest(request: Request, kind: str, count: int) -> None:
    """Count ``count`` ingested items of ``kind`` (``spans``, ``traces``, ``metrics``).

    A no-op for a request that did not pass a door with metrics (an app built without them).
    """
    metrics = request.scope.get(SCOPE_KEY)
    if metrics is not None and count:
        metrics.ingested.labels(kind).inc(count)


class _Registry:
    """Delegates ``collect`` to another registry (the gateway's), so one scrape serves both."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterable[Metric]:
        """The other registry's metrics."""
        return self._registry.collect()


class ServerMetrics:
    """Request, ingest, queue, pool and dropped-span metrics of one app.

    Args:
        routes: The app's routes (templates for the ``route`` label).
        database: The SQL database (queue depth and pool gauges); None for other backends.
        gateway: The gateway's :class:`~ardea.gateway.metrics.GatewayMetrics`, or None.
    """

    def __init__(
        self, routes: RouteTable | None, database: Database | None = None, gateway: Any = None
    ) -> None:
        self.routes = routes
        self.database = database
        self.gateway = gateway
        self.multiprocess = multiprocess_dir() is not None
        # auto_describe: registering a collector checks its names against the others.
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "ardea_http_requests",
            "HTTP requests answered, by route template, method and status class",
            ["route", "method", "status"],
            registry=r,
        )
        self.duration = Histogram(
            "ardea_http_request_duration_seconds",
            "Time from a request's arrival at the door to the end of its answer",
            ["route", "method", "status"],
            buckets=_DURATION_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge(
            "ardea_http_requests_in_flight",
            "Requests being served",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.ingested = Counter(
            "ardea_ingested",
            "Items stored by ingest routes: spans and traces (OTLP), metric values (log-metric, "
            "log-batch)",
            ["kind"],
            registry=r,
        )
        self.dropped_spans = Counter(
            "ardea_dropped_spans",
            "Spans dropped before reaching the store: gateway request traces (queue full or "
            "write failed), the server's own tracer (export queue full)",
            ["source"],
            registry=r,
        )
        self.write_queue = Gauge(
            "ardea_db_write_queue_depth",
            "Writes queued for the SQLite writer thread (group commit), not yet taken",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.pool_size = Gauge(
            "ardea_db_pool_size",
            "Connections a database pool keeps",
            ["pool"],
            registry=r,
            multiprocess_mode="livesum",
        )
        self.pool_checked_out = Gauge(
            "ardea_db_pool_checked_out",
            "Pooled database connections in use",
            ["pool"],
            registry=r,
            multiprocess_mode="livesum",
        )
        self.pool_overflow = Gauge(
            "ardea_db_pool_overflow",
            "Connections open beyond the pool's size (negative: not all of the size is open)",
            ["pool"],
            registry=r,
            multiprocess_mode="livesum",
        )
        for kind in ("spans", "traces", "metrics"):
            self.ingested.labels(kind)
        for source in ("gateway", "tracing"):
            self.dropped_spans.labels(source)
        self._dropped_seen = {"gateway": 0.0, "tracing": 0.0}
        self._refresh_lock = threading.Lock()
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._templates: dict[str, str] = {}
        self._stop = threading.Event()
        self._active = 0  # requests in flight; the door runs on the event loop's thread only
        if not self.multiprocess:
            self.in_flight.set_function(lambda: self._active)  # read when scraped: no lock
            from prometheus_client import PlatformCollector, ProcessCollector
            from prometheus_client.gc_collector import GCCollector

            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
            if GC_COLLECTOR is not None:
                GCCollector(registry=r)
            if gateway is not None:
                r.register(_Registry(gateway.registry))
        else:
            from ardea._core.threads import start_daemon

            start_daemon(self._refresh_loop, "ardea-metrics-refresh")

    # -- the request path ----------------------------------------------------------------

    def begin(self) -> None:
        """A request arrived (the in-flight gauge)."""
        if self.multiprocess:  # every worker's count lives in the shared folder
            self.in_flight.inc()
        else:
            self._active += 1

    def end(self) -> None:
        """A request was answered (or failed)."""
        if self.multiprocess:
            self.in_flight.dec()
        else:
            self._active -= 1

    def route_of(self, path: str) -> str:
        """The ``route`` label of ``path`` (see the module docstring).

        Exact paths are remembered (a dict lookup next time); a path-parameter path (an id in
        it) is matched against the patterns each time, so ids never fill the memory.
        """
        found = self._templates.get(path)
        if found is not None:
            return found
        template = self.routes.template(path) if self.routes is not None else None
        if template is None:
            template = _unrouted(path)
            if template == "{ui}" or "*" in template:
                return template
        if template == path and len(self._templates) < _MAX_CACHED_PATHS:
            self._templates[path] = template
        return template

    def observe(self, method: str, path: str, status: int, seconds: float) -> None:
        """Count one answered request and its duration."""
        route = self.route_of(path)
        if method not in _METHODS:
            method = "other"
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            status_class = _STATUS_CLASSES[status // 100] if 100 <= status < 600 else "5xx"
            labels = (route, method, status_class)
            children = (self.requests.labels(*labels), self.duration.labels(*labels))
            self._children[key] = children  # bounded: routes x methods x statuses
        children[0].inc()
        children[1].observe(seconds)

    # -- scrapes -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the gauges and the dropped-span counts of this process."""
        with self._refresh_lock:
            db = self.database
            if db is not None and not db.closed:
                self.write_queue.set(db.pending_writes())
                for name, pool in db.pools().items():
                    size = getattr(pool, "size", None)
                    if size is None:  # StaticPool (in-memory SQLite): one connection
                        continue
                    self.pool_size.labels(name).set(size())
                    self.pool_checked_out.labels(name).set(pool.checkedout())  # type: ignore[attr-defined]
                    self.pool_overflow.labels(name).set(pool.overflow())  # type: ignore[attr-defined]
            self._count_dropped("gateway", self._gateway_dropped())
            self._count_dropped("tracing", _tracer_dropped())

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format (every worker's in multiprocess mode)."""
        self.refresh()
        if not self.multiprocess:
            return generate_latest(self.registry)
        from prometheus_client.multiprocess import MultiProcessCollector

        merged = CollectorRegistry()
        MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        return generate_latest(merged)

    def close(self) -> None:
        """Stop refreshing; in multiprocess mode, retire this worker's live gauges."""
        self._stop.set()
        if self.multiprocess:
            from prometheus_client.multiprocess import mark_process_dead

            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

    def _refresh_loop(self) -> None:
        while not self._stop.wait(REFRESH_SECONDS):
            try:
                self.refresh()
            except Exception:  # a closed pool at shutdown; the next one works
                continue

    def _gateway_dropped(self) -> float:
        if self.gateway is None:
            return 0.0
        total = 0.0
        for metric in self.gateway.traces_dropped.collect():
            for sample in metric.samples:  # usage roll-up rows count there too: not spans
                reason = sample.labels.get("reason", "")
                if sample.name.endswith("_total") and not reason.startswith("usage"):
                    total += sample.value
        return total

    def _count_dropped(self, source: str, total: float) -> None:
        seen = self._dropped_seen[source]
        if total > seen:
            self.dropped_spans.labels(source).inc(total - seen)
            self._dropped_seen[source] = total


def _unrouted(path: str) -> str:
    """The ``route`` label of a path no FastAPI route serves."""
    if path == "/metrics":
        return path
    for prefix, label in _PREFIX_ROUTES:
        if path.startswith(prefix):
            return label
    return "{unknown}" if path.startswith(API_PREFIXES) else "{ui}"


def _tracer_dropped() -> float:
    """Spans the server process's own tracer dropped (0 when it never traced anything)."""
    provider = sys.modules.get("ardea.tracing.provider")
    return float(provider.dropped_spans()) if provider is not None else 0.0
