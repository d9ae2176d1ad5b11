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
from typing import Any

from ardea.entities import Assessment, PagedList, Span, Trace, TraceInfo

SEARCH_TRACES_DEFAULT = 100
SEARCH_TRACES_LIMIT = 500
SPANS_PAGE_DEFAULT = 1000


class TraceStore(ABC):
    """Everything the tracing SDK, OTLP ingest and the server need from a backend."""

    @abstractmethod
    def start_trace(self, info: TraceInfo) -> TraceInfo:
        """Create or complete a trace record (idempotent); returns it with server-set tags."""

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

    @abstractmethod
    def get_trace_info(self, trace_id: str) -> TraceInfo:
        """A trace record with its tags, metadata and assessments."""

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

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""
