"""The trace store contract: traces, spans and assessments.

Spans and trace records may arrive in any order (the MLflow client sends the trace record
and the OTLP spans independently): ``log_spans`` creates the trace row when it does not
exist yet and ``start_trace`` merges into a row created by spans. Aggregates that lists and
filters need (name, state, times, session, user, tokens, cost, previews, span count) are
kept on the trace row, so listing and searching never read spans.

Conventions as in :mod:`ardea.store.tracking`: ``get_*`` raises NotFoundError, ``search_*``
returns a :class:`PagedList`; trace times are epoch milliseconds, span times nanoseconds.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ardea._core.errors import NotFoundError
from ardea.entities import (
    Assessment,
    MetricDataPoint,
    PagedList,
    Span,
    Trace,
    TraceFilterCorrelation,
    TraceInfo,
    TraceMetrics,
    TraceMetricsQuery,
    TraceState,
)
from ardea.entities.quality import QualityMetrics

SEARCH_TRACES_DEFAULT = 100
SEARCH_TRACES_LIMIT = 500
SPANS_PAGE_DEFAULT = 1000


class TraceStore(ABC):
    """Everything the tracing SDK, OTLP ingest and the server need from a backend."""

    @abstractmethod
    def start_trace(self, info: TraceInfo) -> TraceInfo:
        """Create or complete a trace record (idempotent); returns it with server-set tags."""

    def start_traces(self, infos: Sequence[TraceInfo]) -> None:
        """Create or complete many trace records, as :meth:`start_trace` each, nothing returned.

        A record that cannot be stored does not stop the others; the first error is raised
        once the rest are stored. This default calls :meth:`start_trace` per record; the SQL
        store writes them all in one transaction, without reading them back.
        """
        errors: list[Exception] = []
        for info in infos:
            try:
                self.start_trace(info)
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]

    @abstractmethod
    def log_spans(self, experiment_id: str, spans: Sequence[Span]) -> None:
        """Store spans (any traces, any order; re-sent spans replace earlier copies).

        One transaction per call. Trace rows are created or updated from the spans: the root
        span gives name, times, state, previews, session and user; token usage and cost add up.
        """

    # Async forms of the hot write paths, for the server's event loop. The defaults run the
    # sync method in a worker thread; a backend with its own write queue (SQLite) overrides
    # them to wait on that queue directly and save a thread hop per request.

    async def start_trace_async(self, info: TraceInfo) -> TraceInfo:
        """Async form of :meth:`start_trace`."""
        return await asyncio.to_thread(self.start_trace, info)

    async def log_spans_async(self, experiment_id: str, spans: Sequence[Span]) -> None:
        """Async form of :meth:`log_spans`."""
        await asyncio.to_thread(self.log_spans, experiment_id, spans)

    async def log_spans_with_records_async(
        self, experiment_id: str, spans: Sequence[Span], records: Sequence[TraceInfo]
    ) -> None:
        """Store spans, then the trace records their root spans carried, after :func:`fill_only`.

        A record never overrides what a StartTraceV3 call stored; it only fills gaps. This
        default reads the stored records between the two writes, so a StartTraceV3 landing in
        between can still be overwritten; the SQL store does all of it in one transaction.
        """
        await self.log_spans_async(experiment_id, spans)
        if not records:
            return

        def stored() -> dict[str, TraceInfo]:
            found: dict[str, TraceInfo] = {}
            for record in records:
                try:
                    found[record.trace_id] = self.get_trace_info(record.trace_id)
                except NotFoundError:
                    continue
            return found

        existing = await asyncio.to_thread(stored)
        for record in records:
            info = fill_only(record, existing.get(record.trace_id))
            if info is not None:
                await self.start_trace_async(info)

    async def log_new_traces_async(
        self, experiment_id: str, spans: Sequence[Span], records: Sequence[TraceInfo]
    ) -> None:
        """Store whole new traces: their records and all their spans, at once.

        For a producer that writes each trace once, complete, under a fresh id (the AI
        gateway). The traces read back as :meth:`log_spans_with_records_async` would store
        them; this default calls it, and the SQL store writes the rows directly (no reads),
        falling back to it when a trace already exists.
        """
        await self.log_spans_with_records_async(experiment_id, spans, records)

    def end_trace(
        self,
        trace_id: str,
        end_time_ms: int,
        state: str,
        metadata: Mapping[str, str],
        tags: Mapping[str, str],
    ) -> TraceInfo:
        """Finish a trace record (MLflow's legacy v2 EndTrace); returns it as stored.

        The execution time becomes ``end_time_ms`` minus the stored request time; ``state``
        replaces the stored one unless it is ``STATE_UNSPECIFIED``; ``metadata`` and ``tags``
        are merged into the stored ones. This default completes the record through
        :meth:`start_trace`.

        Raises:
            NotFoundError: No such trace.
        """
        current = self.get_trace_info(trace_id)
        record = TraceInfo(
            trace_id=trace_id,
            experiment_id=current.experiment_id,
            request_time=current.request_time,
            execution_duration=end_time_ms - current.request_time,
            state=state,
            trace_metadata=dict(metadata),
            tags=dict(tags),
        )
        return self.start_trace(record)

    @abstractmethod
    def get_trace_info(self, trace_id: str) -> TraceInfo:
        """A trace record with its tags, metadata and assessments."""

    def experiment_of_trace(self, trace_id: str) -> str:
        """The id of the experiment a trace belongs to (NotFoundError as :meth:`get_trace_info`).

        Asked by the server's access checks; this default loads the whole record.
        """
        return self.get_trace_info(trace_id).experiment_id

    @abstractmethod
    def get_trace(self, trace_id: str) -> Trace:
        """A trace with all its spans (use ``get_spans`` for huge traces)."""

    @abstractmethod
    def get_spans(
        self,
        trace_id: str,
        parent_span_id: str | None = None,
        max_results: int = SPANS_PAGE_DEFAULT,
        page_token: str | None = None,
        *,
        roots_only: bool = False,
    ) -> PagedList[Span]:
        """One page of a trace's spans, in start-time order.

        With ``parent_span_id``: the direct children of that span. With ``roots_only``: spans
        without a parent. Otherwise every span. Lets a 100,000-span trace open a level at a time.
        """

    def spans_with_children(self, trace_id: str, span_ids: Sequence[str]) -> set[str]:
        """Which of ``span_ids`` (hex) have at least one child span in the trace.

        Lets a lazily opened tree show an expand control only where there is something to
        expand. This default asks :meth:`get_spans` once per span; the SQL store answers in
        one indexed query.
        """
        return {
            span_id
            for span_id in dict.fromkeys(span_ids)
            if len(self.get_spans(trace_id, parent_span_id=span_id, max_results=1)) > 0
        }

    @abstractmethod
    def batch_get_traces(self, trace_ids: Sequence[str]) -> list[Trace]:
        """Several traces with their spans; unknown ids are left out."""

    @abstractmethod
    def search_traces(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = SEARCH_TRACES_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[TraceInfo]:
        """Traces matching the MLflow trace filter grammar (plus session, user, tokens, cost).

        Default order ``timestamp_ms DESC``, then ``request_id ASC``.
        """

    @abstractmethod
    def delete_traces(
        self,
        experiment_id: str,
        max_timestamp_millis: int | None = None,
        max_traces: int | None = None,
        trace_ids: Sequence[str] | None = None,
    ) -> int:
        """Delete traces by id or by age; returns how many were deleted."""

    @abstractmethod
    def set_trace_tag(self, trace_id: str, key: str, value: str) -> None:
        """Set a trace tag."""

    @abstractmethod
    def delete_trace_tag(self, trace_id: str, key: str) -> None:
        """Delete a trace tag."""

    @abstractmethod
    def link_traces_to_run(self, trace_ids: Sequence[str], run_id: str) -> None:
        """Associate traces with a run (metadata ``mlflow.sourceRun``)."""

    @abstractmethod
    def create_assessment(self, assessment: Assessment) -> Assessment:
        """Store an assessment; the id (``a-`` + 32 hex) and times are set if empty.

        An assessment that ``overrides`` another marks that one invalid.
        """

    bulk_assessments: bool = False
    """True when :meth:`create_assessments` writes many in one go (else it loops)."""

    def create_assessments(self, assessments: Sequence[Assessment]) -> list[Assessment]:
        """Store many new assessments (none may ``override`` another).

        All or, on error, none where the store writes them in one transaction
        (:attr:`bulk_assessments`); here, one by one.
        """
        return [self.create_assessment(a) for a in assessments]

    @abstractmethod
    def get_assessment(self, trace_id: str, assessment_id: str) -> Assessment:
        """One assessment."""

    @abstractmethod
    def update_assessment(
        self, trace_id: str, assessment_id: str, changes: Mapping[str, Any]
    ) -> Assessment:
        """Change the named fields (name, value, rationale, metadata, valid)."""

    @abstractmethod
    def delete_assessment(self, trace_id: str, assessment_id: str) -> None:
        """Delete an assessment."""

    def trace_metrics(
        self, experiment_id: str, start_ms: int, end_ms: int, buckets: int
    ) -> TraceMetrics:
        """Aggregates of one experiment's traces with ``start_ms <= request_time < end_ms``.

        Per bucket (``buckets`` equal slices of the range): trace and error counts, latency
        percentiles, tokens and cost, plus feedback pass rates (see
        :mod:`ardea.store.sql.traces.metrics` for the exact rules).

        Raises:
            NotFoundError: No such experiment.
            InvalidArgumentError: An empty range, or a bucket count out of 1..1000.
            NotImplementedFeatureError: This store cannot aggregate (the default).
        """
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This trace store cannot aggregate trace metrics.")

    def quality_metrics(
        self,
        experiment_id: str,
        start_ms: int,
        end_ms: int,
        buckets: int,
        group_by: str = "",
    ) -> QualityMetrics:
        """Each judge's pass/fail verdicts per bucket of ``[start_ms, end_ms)`` (and group).

        ``group_by``: ``""``, ``prompt`` (linked prompt versions), ``model`` or
        ``tag:<key>`` (see :mod:`ardea.store.sql.traces.quality`).

        Raises:
            NotFoundError: No such experiment.
            InvalidArgumentError: An empty range, a bucket count out of 1..1000, or a bad
                ``group_by``.
            NotImplementedFeatureError: This store cannot aggregate (the default).
        """
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This trace store cannot aggregate quality metrics.")

    def query_trace_metrics(self, query: TraceMetricsQuery) -> PagedList[MetricDataPoint]:
        """MLflow's QueryTraceMetrics: one metric of traces, spans or assessments, aggregated.

        Values are aggregated per group of dimensions and time bucket. Groups come in order
        of time bucket, then dimension values (by code point); a group whose dimensions are
        not all known, or that has no value, is left out. At most ``query.max_results`` data
        points, all on one page (the token is always None, as in MLflow). See
        :mod:`ardea.store.trace_metrics_query` for what a query may ask.

        Raises:
            InvalidArgumentError: The query asks for something the catalogue does not allow.
            NotImplementedFeatureError: This store cannot aggregate (the default).
        """
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This trace store cannot query trace metrics.")

    def calculate_trace_filter_correlation(
        self,
        experiment_ids: Sequence[str],
        filter_string1: str,
        filter_string2: str,
        base_filter: str | None = None,
    ) -> TraceFilterCorrelation:
        """How two trace filters go together over some experiments' traces (NPMI).

        The filters use the trace search grammar; with ``base_filter``, only the traces it
        matches count, and each filter is tested on top of it (see
        :mod:`ardea.store.trace_correlation` for the rules).

        Raises:
            InvalidArgumentError: A filter does not parse.
            NotImplementedFeatureError: This store cannot count (the default).
        """
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This trace store cannot correlate trace filters.")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""


_ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation"


def fill_only(record: TraceInfo, existing: TraceInfo | None) -> TraceInfo | None:
    """``record`` narrowed so that storing it cannot change what a stored record already says.

    ``start_trace`` on an existing trace overwrites its times and state and, where the new
    record has a value, its tags, metadata, previews, name, session and user. When ``existing``
    already went through ``start_trace`` (it has the ``mlflow.artifactLocation`` tag, e.g. the
    ``mlflow`` client's StartTraceV3 came first), the span-carried record may only add: tags and
    metadata keys it lacks, and columns it has no value for; its times are kept as they are and
    its state is left alone.

    Args:
        record: A record a root span carried (``ardea.services.trace_records``).
        existing: The stored record of the same trace (read after ``log_spans``), if any.

    Returns:
        What to pass to ``start_trace``: ``record`` itself when no record was stored yet, the
        narrowed record, or None when it would add nothing.
    """
    if existing is None or _ARTIFACT_LOCATION_TAG not in existing.tags:
        return record
    tags = {k: v for k, v in record.tags.items() if k not in existing.tags}
    metadata = {k: v for k, v in record.trace_metadata.items() if k not in existing.trace_metadata}
    columns = {
        name: None if getattr(existing, name) else getattr(record, name)
        for name in ("request_preview", "response_preview", "name", "session_id", "user_id")
    }
    if not tags and not metadata and not any(columns.values()):
        return None
    return replace(
        record,
        request_time=existing.request_time,
        execution_duration=existing.execution_duration,
        state=TraceState.STATE_UNSPECIFIED.value,
        tags=tags,
        trace_metadata=metadata,
        request_preview=columns["request_preview"],
        response_preview=columns["response_preview"],
        name=columns["name"],
        session_id=columns["session_id"],
        user_id=columns["user_id"],
    )
