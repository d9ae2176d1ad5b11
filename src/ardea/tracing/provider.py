"""The OTel plumbing behind Ardea's tracing: tracer provider, span processor, export queue.

Set up on the first span (never at ``import ardea``): when the application already installed
an OTel SDK ``TracerProvider`` as the global one, Ardea adds its span processor to it and
shares its sampler and resource; otherwise Ardea creates a private SDK provider (sampled by
``ARDEA_TRACE_SAMPLING_RATIO``) and leaves the global provider alone.

Spans are exported on a background thread to the exporter of the current tracking URI: an
embedded store (folder, SQLite, PostgreSQL) through its trace store, or a server through
OTLP/HTTP. :func:`configure` overrides the exporter (tests use an in-memory one).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ardea._core import env
from ardea._core.errors import InvalidArgumentError
from ardea.tracing._state import state

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Tracer

    from ardea.tracing.exporters import SpanExporter
    from ardea.tracing.processor import SpanRecord

__all__ = ["configure", "flush", "get_tracer", "reset", "sampling_ratio"]

_log = logging.getLogger(__name__)


_state = state


def sampling_ratio() -> float:
    """The fraction of traces recorded by Ardea's own provider.

    Returns:
        The ratio given to :func:`configure`, else ``ARDEA_TRACE_SAMPLING_RATIO``, else 1.0.

    Raises:
        InvalidArgumentError: The value is not a number between 0 and 1.
    """
    if _state.sampling_ratio is not None:
        return _state.sampling_ratio
    raw = env.get(env.ARDEA_TRACE_SAMPLING_RATIO)
    if raw is None:
        return 1.0
    return _check_ratio(raw)


def _check_ratio(raw: Any) -> float:
    try:
        ratio = float(raw)
    except (TypeError, ValueError):
        ratio = -1.0
    if not 0.0 <= ratio <= 1.0:
        raise InvalidArgumentError(f"Trace sampling ratio must be between 0 and 1, got {raw!r}.")
    return ratio


def get_tracer() -> Tracer:
    """Ardea's OTel tracer, setting up the provider and processor on first use."""
    tracer = _state.tracer
    if tracer is not None:
        return tracer
    with _state.lock:
        if _state.tracer is None:
            _setup()
        assert _state.tracer is not None
        return _state.tracer


def _setup() -> None:
    from opentelemetry import trace as otel_trace
    from opentelemetry.sdk.trace import TracerProvider

    from ardea._core.version import __version__
    from ardea.tracing.processor import ArdeaSpanProcessor
    from ardea.tracing.queue import ExportQueue

    queue = ExportQueue(_export, drain=_drain_exporters, **_state.queue_options)
    processor = ArdeaSpanProcessor(queue)
    provider = _state.provider
    joined = provider is not None
    if provider is None:
        current = otel_trace.get_tracer_provider()
        if isinstance(current, TracerProvider) and not _mlflows(current):
            provider, joined = current, True
    own = provider is None
    if provider is None:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

        from ardea.tracing.processor import ArdeaIdGenerator

        provider = TracerProvider(
            sampler=ParentBased(TraceIdRatioBased(sampling_ratio())),
            resource=Resource.create({"service.name": "ardea"}),
            id_generator=ArdeaIdGenerator(),
        )
    provider.add_span_processor(processor)
    _state.provider, _state.joined, _state.processor = provider, joined, processor
    # Deferred leaf spans need our id generator (a root's id is drawn early) and every trace
    # sampled (the calling thread cannot ask the sampler).
    _state.deferrable = own and sampling_ratio() == 1.0
    _state.tracer = provider.get_tracer("ardea", __version__)


def _mlflows(provider: TracerProvider) -> bool:
    """Whether ``provider`` is MLflow tracing's (``MLFLOW_USE_DEFAULT_TRACER_PROVIDER=false``).

    Ardea does not join it: MLflow's span processor rewrites ``mlflow.spanType`` (and other
    attributes) of every span it did not start itself, and would send Ardea's spans to MLflow.
    """
    multi = getattr(provider, "_active_span_processor", None)
    processors = getattr(multi, "_span_processors", ())
    return any(type(p).__module__.startswith("mlflow.") for p in processors)


def configure(
    *,
    exporter: SpanExporter | None = None,
    sampling_ratio: float | None = None,
    tracer_provider: TracerProvider | None = None,
    max_queue_size: int | None = None,
    batch_size: int | None = None,
    schedule_delay: float | None = None,
) -> None:
    """Change how Ardea traces; takes effect for spans started afterwards.

    Args:
        exporter: Send spans here instead of to the tracking URI's backend.
        sampling_ratio: Fraction of traces recorded (Ardea's own provider only).
        tracer_provider: An OTel SDK provider to join instead of the global one.
        max_queue_size: Spans buffered at most before new ones are dropped.
        batch_size: Spans per export call.
        schedule_delay: Seconds before a partial batch is exported.

    Raises:
        InvalidArgumentError: A sampling ratio outside [0, 1] or a non-positive size.
    """
    options: dict[str, Any] = {}
    for name, value in (
        ("max_queue_size", max_queue_size),
        ("batch_size", batch_size),
        ("schedule_delay", schedule_delay),
    ):
        if value is not None:
            if value <= 0:
                raise InvalidArgumentError(f"{name} must be positive, got {value!r}.")
            options[name] = value
    ratio = None if sampling_ratio is None else _check_ratio(sampling_ratio)
    with _state.lock:
        _teardown()
        _state.exporter_override = exporter
        _state.sampling_ratio = ratio
        _state.provider = tracer_provider
        _state.queue_options = options


def reset() -> None:
    """Drop every setting and the provider set up so far (queued spans are exported first)."""
    with _state.lock:
        _teardown()
        _state.exporter_override = None
        _state.sampling_ratio = None
        _state.provider = None
        _state.queue_options = {}


def _teardown() -> None:
    from ardea.tracing.context import registry

    processor, _state.processor = _state.processor, None
    _state.tracer = None
    _state.deferrable = False
    if processor is not None:
        processor.queue.shutdown()
        processor.enabled = False  # a joined provider keeps it: make it inert
    if not _state.joined and _state.provider is not None:
        _state.provider = None
    _state.joined = False
    with _state.exporters_lock:
        exporters = list(_state.exporters.values())
        _state.exporters.clear()
    for exporter in exporters:
        exporter.close()
    registry.clear()


def flush(timeout: float | None = 30.0) -> bool:
    """Wait until every finished span has been exported.

    Args:
        timeout: Seconds to wait at most (None: no limit).

    Returns:
        True when everything was exported in time.

    Raises:
        UnavailableError: Under ``ARDEA_STRICT=1``, spans were dropped or failed to export.
    """
    processor = _state.processor
    if processor is None:
        return True
    return processor.queue.flush(timeout)


def dropped_spans() -> int:
    """Spans dropped so far because the export queue was full."""
    processor = _state.processor
    return 0 if processor is None else processor.queue.dropped


def _destination() -> str:
    """The tracking URI spans go to: the fluent API's (``set_tracking_uri``), else the default."""
    from ardea._core.context import configured_tracking_uri
    from ardea.store.uri import default_tracking_uri

    return configured_tracking_uri() or default_tracking_uri()


def _resolve_experiments(records: Sequence[SpanRecord]) -> None:
    missing = [r.meta for r in records if r.meta.experiment_id is None]
    if not missing:
        return
    from ardea.store.current_experiment import current_experiment_id
    from ardea.store.resolve import resolve_backend

    uri = _destination()
    experiment_id = current_experiment_id(lambda: resolve_backend(uri).tracking)
    for meta in missing:
        meta.experiment_id = experiment_id


def _exporter() -> SpanExporter:
    override: SpanExporter | None = _state.exporter_override
    if override is not None:
        return override
    uri = _destination()
    with _state.exporters_lock:
        exporter = _state.exporters.get(uri)
        if exporter is None:
            if uri.lower().startswith(("http://", "https://")):
                from ardea.tracing.otlp import OtlpHttpExporter

                exporter = OtlpHttpExporter(uri)
            else:
                from ardea.tracing.exporters import StoreExporter

                exporter = StoreExporter(tracking_uri=uri)
            _state.exporters[uri] = exporter
        return exporter


def _drain_exporters() -> None:
    with _state.exporters_lock:
        exporters = list(_state.exporters.values())
    if _state.exporter_override is not None:
        exporters.append(_state.exporter_override)
    first: BaseException | None = None
    for exporter in exporters:
        try:
            exporter.drain()
        except Exception as exc:  # drain every exporter, then report the first failure
            first = first or exc
    if first is not None:
        raise first


def _export(items: list[Any]) -> None:
    from ardea.tracing.deferred import collect

    records, failure = collect(items)
    if records:
        _resolve_experiments(records)
        _exporter().export(records)
    if failure is not None:
        failure.span_count = 1  # type: ignore[attr-defined]
        raise failure


state.setup = get_tracer
