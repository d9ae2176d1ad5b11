"""The SQL trace store: traces, spans and assessments in the tracking database.

:class:`SqlTraceStore` shares the backend's :class:`Database` (and so, on SQLite, the one
writer thread) with the tracking store: open it with
:func:`~ardea.store.sql.backend.open_sql_backend`. The span hot path lives in ``ingest.py``,
entity loading in ``load.py``, assessments in ``assessments.py`` and the search compiler in
``search.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import (
    MetricDataPoint,
    PagedList,
    Span,
    Trace,
    TraceFilterCorrelation,
    TraceInfo,
    TraceMetrics,
    TraceMetricsQuery,
)
from ardea.entities.quality import QualityMetrics, parse_group_by
from ardea.store.online_sampling import ENDED_STATES
from ardea.store.search.paging import encode_page_token, offset_from_token
from ardea.store.sql._db.common import chunked, upsert
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.assessments import SqlAssessments, require_trace
from ardea.store.sql.traces.info import (
    ARTIFACT_LOCATION_TAG,
    SOURCE_RUN_KEY,
    check_key_value,
)
from ardea.store.sql.traces.ingest import (
    SPANS_LOCATION_TAG,
    TRACE_NAME_TAG,
    PreparedSpans,
    prepare_spans,
    write_spans,
)
from ardea.store.sql.traces.links import (
    claim_pending_links,
    existing_trace_ids,
    has_pending_links,
    link_traces_op,
)
from ardea.store.sql.traces.load import (
    SPAN_COLUMNS,
    load_spans,
    load_trace_infos,
    span_from_row,
)
from ardea.store.sql.traces.metrics import trace_metrics
from ardea.store.sql.traces.start import BulkStart, start_trace_op, start_traces_op
from ardea.store.sql.traces.whole import new_traces_op
from ardea.store.sql.tracking.common import parse_experiment_id
from ardea.store.trace_correlation import correlation_from_counts
from ardea.store.trace_metrics_query import check_query
from ardea.store.traces import (
    SEARCH_TRACES_DEFAULT,
    SEARCH_TRACES_LIMIT,
    SPANS_PAGE_DEFAULT,
    TraceStore,
    fill_only,
)
from ardea.store.validation import check_no_nul, validate_max_results

__all__ = ["ARTIFACT_LOCATION_TAG", "SOURCE_RUN_KEY", "SqlTraceStore"]

_log = logging.getLogger(__name__)

_SERVER_TAGS = frozenset({SPANS_LOCATION_TAG, ARTIFACT_LOCATION_TAG})
_SPANS_PAGE_LIMIT = 10_000
_LINK_LIMIT = 100


def _write_spans(
    conn: Connection, scope: WorkspaceScope, experiment_id: int, prepared: PreparedSpans
) -> None:
    """:func:`write_spans`; on SQLite the traces it created take their pending run links."""
    created = write_spans(conn, scope, experiment_id, prepared)
    if created and conn.dialect.name == "sqlite":
        claim_pending_links(conn, created, scope)


def _ended_roots(prepared: PreparedSpans) -> list[str]:
    """The traces whose ended root span the batch carries: the batch ends them."""
    return [tid for tid, facts in prepared.roots.items() if facts.get("end_time") is not None]


def _ended_records(infos: Sequence[TraceInfo]) -> dict[int, list[str]]:
    """Per experiment, the records whose state ends their trace."""
    found: dict[int, list[str]] = {}
    for info in infos:
        if info.state in ENDED_STATES and str(info.experiment_id).isdigit():
            found.setdefault(int(info.experiment_id), []).append(info.trace_id)
    return found


class SqlTraceStore(SqlAssessments, TraceStore):
    """Traces in a SQL database (SQLite, PostgreSQL, MySQL).

    Args:
        database: An open database at the current schema, shared with the backend's other
            SQL stores; the backend closes it.
        scope: The workspace the store sees and writes to (``default`` when omitted).
    """

    def __init__(self, database: Database, scope: WorkspaceScope = DEFAULT_SCOPE) -> None:
        self._db = database
        self._scope = scope

    @property
    def scope(self) -> WorkspaceScope:
        """The workspace this store sees."""
        return self._scope

    def _start_trace_op(self, info: TraceInfo) -> Callable[[Connection], TraceInfo]:
        return start_trace_op(self._scope, info)

    @property
    def database(self) -> Database:
        """The underlying :class:`Database`."""
        return self._db

    def _owns_span(self, trace_id: Any) -> Any:
        """True where the trace ``trace_id`` is in this workspace.

        Give the id itself (a bound value) when the statement reads one trace: the check is
        then evaluated once, not once per span row as a correlated column would make it.
        """
        tr = t.traces.c
        return sa.exists().where(
            tr.trace_id == trace_id, self._scope.owns_experiment(tr.experiment_id)
        )

    # -- writes -------------------------------------------------------------------------------

    def log_spans(self, experiment_id: str, spans: Sequence[Span]) -> None:
        """Store spans in one transaction; trace rows are created or updated from them."""
        exp = parse_experiment_id(experiment_id)
        if not spans:
            return
        prepared = prepare_spans(spans)
        ended = _ended_roots(prepared)

        def op(conn: Connection) -> list[Any]:
            _write_spans(conn, self._scope, exp, prepared)
            return self._sample_ended(conn, {exp: ended})

        deferred = self._db.write(op)
        self._claim_links_after_commit(list(prepared.first_start_ms))
        self._after_ended(deferred)

    async def log_spans_async(self, experiment_id: str, spans: Sequence[Span]) -> None:
        """Async :meth:`log_spans`: waits on the writer queue (no pool thread on SQLite)."""
        exp = parse_experiment_id(experiment_id)
        if not spans:
            return
        prepared = prepare_spans(spans)
        ended = _ended_roots(prepared)

        def op(conn: Connection) -> list[Any]:
            _write_spans(conn, self._scope, exp, prepared)
            return self._sample_ended(conn, {exp: ended})

        deferred = await self._db.write_async(op)
        await self._claim_links_after_commit_async(list(prepared.first_start_ms))
        await self._after_ended_async(deferred)

    # -- online scoring: the traces a write ended (see online_scoring/sampler.py) -------------

    def _sample_ended(self, conn: Connection, ended: dict[int, list[str]]) -> list[Any]:
        """Inside a write: sample the traces it ended, per experiment (the database's hook)."""
        hook = self._db.trace_end_hook
        if hook is None:
            return []
        return [hook.in_write(conn, self._scope, e, ids) for e, ids in ended.items() if ids]

    def _after_ended(self, deferred: Sequence[Any]) -> None:
        """After the commit: the rest of the hook's work (searched scorers, listeners)."""
        hook = self._db.trace_end_hook
        for one in deferred:
            if hook is not None and one is not None:
                hook.after_commit(self._db, self._scope, self, one)

    async def _after_ended_async(self, deferred: Sequence[Any]) -> None:
        """Async :meth:`_after_ended`: a worker thread only when the hook does I/O."""
        hook = self._db.trace_end_hook
        for one in deferred:
            if hook is None or one is None:
                continue
            if hook.needs_thread(one):
                await asyncio.to_thread(hook.after_commit, self._db, self._scope, self, one)
            else:
                hook.after_commit(self._db, self._scope, self, one)

    # -- links to runs of traces not stored yet (see links.py) --------------------------------

    def _claim_links_after_commit(self, trace_ids: Sequence[str]) -> dict[str, str]:
        """On servers: apply the pending run links of ``trace_ids`` once they are committed.

        SQLite claims inside the write (one writer orders everything); PostgreSQL and MySQL
        look after the commit so that a link stored concurrently is never missed by both.
        One indexed read when nothing is pending.
        """
        if self._db.is_sqlite or not trace_ids:
            return {}
        if not self._db.read(lambda conn: has_pending_links(conn, trace_ids)):
            return {}
        return self._db.write(lambda conn: claim_pending_links(conn, trace_ids, self._scope))

    async def _claim_links_after_commit_async(self, trace_ids: Sequence[str]) -> dict[str, str]:
        """Async :meth:`_claim_links_after_commit` (servers only: a worker thread)."""
        if self._db.is_sqlite or not trace_ids:
            return {}
        return await asyncio.to_thread(self._claim_links_after_commit, trace_ids)

    async def log_spans_with_records_async(
        self, experiment_id: str, spans: Sequence[Span], records: Sequence[TraceInfo]
    ) -> None:
        """Spans and the records their root spans carried, in one write transaction.

        The stored records are read inside the transaction that then merges into them (under
        the trace row locks ``write_spans`` takes outside SQLite), so a concurrent
        StartTraceV3 is never overwritten.
        """
        exp = parse_experiment_id(experiment_id)
        if not spans:
            return
        prepared = prepare_spans(spans)
        ops = []
        for record in records:  # validated before the write; a bad record never costs spans
            try:
                ops.append((record, self._start_trace_op(record)))
            except InvalidArgumentError as exc:
                _log.warning("Trace record of %s not stored: %s", record.trace_id, exc)

        ended = _ended_roots(prepared)
        ended += [r.trace_id for r, _ in ops if r.state in ENDED_STATES]

        def op(conn: Connection) -> list[Any]:
            _write_spans(conn, self._scope, exp, prepared)
            if ops:
                ids = [r.trace_id for r, _ in ops]
                stored = {i.trace_id: i for i in load_trace_infos(conn, self._scope, ids)}
                for record, start in ops:
                    narrowed = fill_only(record, stored.get(record.trace_id))
                    if narrowed is record:
                        start(conn)
                    elif narrowed is not None:
                        self._start_trace_op(narrowed)(conn)
            return self._sample_ended(conn, {exp: ended})

        deferred = await self._db.write_async(op)
        await self._claim_links_after_commit_async(list(prepared.first_start_ms))
        await self._after_ended_async(deferred)

    async def log_new_traces_async(
        self, experiment_id: str, spans: Sequence[Span], records: Sequence[TraceInfo]
    ) -> None:
        """Whole new traces in one plain multi-row insert per table (see ``whole.py``).

        When a trace of the batch exists already, or the batch is not whole (a record with
        assessments, spans without a record), the batch goes the general way
        (:meth:`log_spans_with_records_async`) instead.
        """
        exp = parse_experiment_id(experiment_id)
        try:
            op = new_traces_op(self._scope, exp, spans, records)
        except InvalidArgumentError:
            await self.log_spans_with_records_async(experiment_id, spans, records)
            return
        ended = [r.trace_id for r in records if r.state in ENDED_STATES]

        def write(conn: Connection) -> tuple[list[str], list[Any]]:
            return op(conn), self._sample_ended(conn, {exp: ended})

        try:
            ids, deferred = await self._db.write_async(write)
        except sa.exc.IntegrityError:
            await self.log_spans_with_records_async(experiment_id, spans, records)
            return
        await self._claim_links_after_commit_async(ids)
        await self._after_ended_async(deferred)

    def start_trace(self, info: TraceInfo) -> TraceInfo:
        """Create or complete a trace record; sets the server tags and returns the stored info.

        The record's assessments are stored by id (a retry does not add copies).
        """
        stored, deferred = self._db.write(self._start_and_sample(info))
        self._after_ended(deferred)
        if self._claim_links_after_commit([stored.trace_id]):
            return self.get_trace_info(stored.trace_id)
        return stored

    def _start_and_sample(
        self, info: TraceInfo
    ) -> Callable[[Connection], tuple[TraceInfo, list[Any]]]:
        start = self._start_trace_op(info)

        def op(conn: Connection) -> tuple[TraceInfo, list[Any]]:
            stored = start(conn)
            return stored, self._sample_ended(conn, _ended_records([stored]))

        return op

    def start_traces(self, infos: Sequence[TraceInfo]) -> None:
        """Create or complete many trace records in one transaction, without a read-back.

        As :meth:`start_trace` for each (same rows, tags, metadata, assessments and run
        links), in a few multi-row statements. A record that cannot be stored (malformed, its
        experiment or trace not in this workspace) is skipped; the first such error is raised
        after the others are committed.
        """
        if not infos:
            return
        start = start_traces_op(self._scope, infos)

        def op(conn: Connection) -> tuple[BulkStart, list[Any]]:
            done = start(conn)
            stored = set(done.stored)
            return done, self._sample_ended(
                conn, _ended_records([i for i in infos if i.trace_id in stored])
            )

        done, deferred = self._db.write(op)
        self._claim_links_after_commit(done.created)
        self._after_ended(deferred)
        if done.errors:
            for trace_id, exc in done.errors[1:]:
                _log.warning("Trace record of %s not stored: %s", trace_id, exc)
            raise done.errors[0][1]

    async def start_trace_async(self, info: TraceInfo) -> TraceInfo:
        """Async :meth:`start_trace`: waits on the writer queue (no pool thread on SQLite)."""
        stored, deferred = await self._db.write_async(self._start_and_sample(info))
        await self._after_ended_async(deferred)
        if await self._claim_links_after_commit_async([stored.trace_id]):
            return await asyncio.to_thread(self.get_trace_info, stored.trace_id)
        return stored

    def delete_traces(
        self,
        experiment_id: str,
        max_timestamp_millis: int | None = None,
        max_traces: int | None = None,
        trace_ids: Sequence[str] | None = None,
    ) -> int:
        """Delete traces by id or by age (oldest first, at most ``max_traces``)."""
        exp = parse_experiment_id(experiment_id)
        check_no_nul("request_ids", list(trace_ids or ()))
        if (max_timestamp_millis is None) == (trace_ids is None):
            raise InvalidArgumentError(
                "Exactly one of 'max_timestamp_millis' and 'request_ids' must be specified"
            )
        if trace_ids is not None and max_traces is not None:
            raise InvalidArgumentError("'max_traces' can only be used with 'max_timestamp_millis'")
        if max_traces is not None:
            validate_max_results(max_traces, 2**31 - 1, "max_traces")
        if max_timestamp_millis is not None and (
            isinstance(max_timestamp_millis, bool) or not isinstance(max_timestamp_millis, int)
        ):
            raise InvalidArgumentError(f"Invalid max_timestamp_millis {max_timestamp_millis!r}")
        tr = t.traces.c
        owned = self._scope.owns_experiment(tr.experiment_id)

        def op(conn: Connection) -> int:
            if trace_ids is not None:
                ids: list[str] = []
                for chunk in chunked(list(trace_ids)):
                    query = sa.select(tr.trace_id).where(
                        tr.experiment_id == exp, tr.trace_id.in_(chunk), owned
                    )
                    ids.extend(conn.execute(query).scalars())
            else:
                query = (
                    sa.select(tr.trace_id)
                    .where(tr.experiment_id == exp, tr.request_time <= max_timestamp_millis, owned)
                    .order_by(tr.request_time, tr.trace_id)
                )
                if max_traces is not None:
                    query = query.limit(max_traces)
                ids = list(conn.execute(query).scalars())
            for chunk in chunked(ids):
                for table in (t.spans, t.trace_tags, t.trace_metadata, t.assessments):
                    conn.execute(table.delete().where(table.c.trace_id.in_(chunk)))
                conn.execute(t.traces.delete().where(tr.trace_id.in_(chunk)))
            return len(ids)

        return self._db.write(op)

    def set_trace_tag(self, trace_id: str, key: str, value: str) -> None:
        """Set a tag (``mlflow.traceName`` also renames the trace)."""
        check_no_nul("trace_id", trace_id)
        check_key_value(key, value, "tag", 8000)
        if key == SPANS_LOCATION_TAG:
            raise InvalidArgumentError(
                f"The tag {key!r} is set by the server and cannot be changed"
            )

        def op(conn: Connection) -> None:
            require_trace(conn, self._scope, trace_id)
            upsert(
                conn,
                t.trace_tags,
                [{"trace_id": trace_id, "key": key, "value": value}],
                ["trace_id", "key"],
                ["value"],
            )
            if key == TRACE_NAME_TAG:
                conn.execute(
                    t.traces.update()
                    .where(t.traces.c.trace_id == trace_id)
                    .values(name=value[:500])
                )

        self._db.write(op)

    def delete_trace_tag(self, trace_id: str, key: str) -> None:
        """Delete a tag; NotFoundError if the trace or the tag does not exist."""
        check_no_nul("trace_id", trace_id)
        check_no_nul("key", key)
        if key == SPANS_LOCATION_TAG:
            raise InvalidArgumentError(
                f"The tag {key!r} is set by the server and cannot be deleted"
            )

        def op(conn: Connection) -> None:
            require_trace(conn, self._scope, trace_id)
            tags = t.trace_tags.c
            result = conn.execute(
                t.trace_tags.delete().where(tags.trace_id == trace_id, tags.key == key)
            )
            if result.rowcount == 0:
                raise NotFoundError(f"No trace tag with key {key!r} on trace {trace_id}")

        self._db.write(op)

    def link_traces_to_run(self, trace_ids: Sequence[str], run_id: str) -> None:
        """Link traces to a run (``run_id`` and metadata ``mlflow.sourceRun``).

        A trace not stored yet is linked when it arrives (a pending link, kept a day; see
        :mod:`.links`). NotFoundError if the run does not exist.
        """
        ids = list(dict.fromkeys(trace_ids))
        check_no_nul("trace_ids", ids)
        check_no_nul("run_id", run_id)
        if len(ids) > _LINK_LIMIT:
            raise InvalidArgumentError(f"At most {_LINK_LIMIT} traces can be linked at once")
        if not isinstance(run_id, str) or not run_id:
            raise InvalidArgumentError("Missing value for required parameter 'run_id'.")
        for trace_id in ids:
            if not isinstance(trace_id, str) or not 0 < len(trace_id) <= 64:
                raise InvalidArgumentError(f"Invalid trace id {trace_id!r}")
        if not ids:
            return
        scope = self._scope
        pending = self._db.write(link_traces_op(scope, ids, run_id))
        if pending and not self._db.is_sqlite:
            arrived = self._db.read(lambda conn: sorted(existing_trace_ids(conn, scope, pending)))
            if arrived:
                self._db.write(lambda conn: claim_pending_links(conn, arrived, scope))

    # -- reads --------------------------------------------------------------------------------

    def get_trace_info(self, trace_id: str) -> TraceInfo:
        """A trace record with tags, metadata and assessments; NotFoundError if unknown."""
        check_no_nul("trace_id", trace_id)
        found = self._db.read(lambda conn: load_trace_infos(conn, self._scope, [trace_id]))
        if not found:
            raise NotFoundError(f"Trace with ID {trace_id} is not found.")
        return found[0]

    def experiment_of_trace(self, trace_id: str) -> str:
        """The trace's experiment id, from one primary-key lookup in this workspace.

        An archived trace (retention) answers its experiment too, so that access checks let
        GetTrace read it back from the archive.
        """
        check_no_nul("trace_id", trace_id)
        tr = t.traces.c
        query = sa.select(tr.experiment_id).where(
            tr.trace_id == trace_id, self._scope.owns_experiment(tr.experiment_id)
        )
        found = self._db.read(lambda conn: conn.execute(query).scalar())
        if found is None:  # an archived trace (retention) still belongs to its experiment
            ar = t.archived_traces.c
            archived = sa.select(ar.experiment_id).where(
                ar.trace_id == trace_id, self._scope.owns_experiment(ar.experiment_id)
            )
            found = self._db.read(lambda conn: conn.execute(archived).scalar())
        if found is None:
            raise NotFoundError(f"Trace with ID {trace_id} is not found.")
        return str(found)

    def get_trace_infos(self, trace_ids: Sequence[str]) -> list[TraceInfo]:
        """Several trace records (no spans) in the order asked; unknown ids are left out.

        Ardea extension of the contract (BatchGetTraceInfos): four queries per 1,000 ids.
        """
        check_no_nul("trace_ids", list(trace_ids))
        ids = list(dict.fromkeys(trace_ids))
        return self._db.read(lambda conn: load_trace_infos(conn, self._scope, ids))

    def get_trace(self, trace_id: str) -> Trace:
        """A trace with all its spans."""
        traces = self.batch_get_traces([trace_id])
        if not traces:
            raise NotFoundError(f"Trace with ID {trace_id} is not found.")
        return traces[0]

    def batch_get_traces(self, trace_ids: Sequence[str]) -> list[Trace]:
        """Traces with their spans, in the order asked; unknown ids are left out."""
        ids = list(dict.fromkeys(trace_ids))
        check_no_nul("trace_ids", ids)

        def op(conn: Connection) -> list[Trace]:
            infos = load_trace_infos(conn, self._scope, ids)
            spans = load_spans(conn, [i.trace_id for i in infos])
            return [Trace(info, spans.get(info.trace_id, [])) for info in infos]

        return self._db.read(op)

    def get_spans(
        self,
        trace_id: str,
        parent_span_id: str | None = None,
        max_results: int = SPANS_PAGE_DEFAULT,
        page_token: str | None = None,
        *,
        roots_only: bool = False,
    ) -> PagedList[Span]:
        """One page of spans (children of a span, roots, or all) in start-time order."""
        check_no_nul("trace_id", trace_id)
        check_no_nul("parent_span_id", parent_span_id)
        validate_max_results(max_results, _SPANS_PAGE_LIMIT)
        offset = offset_from_token(page_token)
        if parent_span_id is not None and roots_only:
            raise InvalidArgumentError("Give either parent_span_id or roots_only, not both")
        s = t.spans.c
        query = sa.select(*SPAN_COLUMNS).where(s.trace_id == trace_id, self._owns_span(trace_id))
        if parent_span_id is not None:
            query = query.where(s.parent_span_id == parent_span_id)
        elif roots_only:
            query = query.where(s.parent_span_id.is_(None))
        query = query.order_by(s.start_time_ns, s.span_id).offset(offset).limit(max_results + 1)

        def op(conn: Connection) -> PagedList[Span]:
            rows = conn.execute(query).all()
            if not rows:
                require_trace(conn, self._scope, trace_id)
            token = None
            if len(rows) > max_results:
                rows = rows[:max_results]
                token = encode_page_token({"offset": offset + max_results})
            return PagedList([span_from_row(r) for r in rows], token)

        return self._db.read(op)

    def spans_with_children(self, trace_id: str, span_ids: Sequence[str]) -> set[str]:
        """Which of ``span_ids`` have a child: one query on the (trace, parent) index."""
        s = t.spans.c
        ids = list(dict.fromkeys(span_ids))
        check_no_nul("trace_id", trace_id)
        check_no_nul("span_ids", ids)
        if not ids:
            return set()
        query = (
            sa.select(s.parent_span_id)
            .where(s.trace_id == trace_id, s.parent_span_id.in_(ids), self._owns_span(trace_id))
            .distinct()
        )
        return set(self._db.read(lambda conn: list(conn.execute(query).scalars())))

    def trace_metrics(
        self, experiment_id: str, start_ms: int, end_ms: int, buckets: int
    ) -> TraceMetrics:
        """Per-bucket aggregates of an experiment's traces (see :mod:`.metrics`).

        Raises:
            NotFoundError: No such experiment.
            InvalidArgumentError: An empty range, or a bucket count out of 1..1000.
        """
        exp = parse_experiment_id(experiment_id)

        def op(conn: Connection) -> TraceMetrics:
            self._scope.experiment_row(conn, exp)
            return trace_metrics(conn, exp, start_ms, end_ms, buckets)

        return self._db.read(op)

    def quality_metrics(
        self,
        experiment_id: str,
        start_ms: int,
        end_ms: int,
        buckets: int,
        group_by: str = "",
    ) -> QualityMetrics:
        """Each judge's verdicts per bucket (and group): see :mod:`.quality`."""
        from ardea.store.sql.traces.quality import quality_metrics

        exp = parse_experiment_id(experiment_id)
        grouping = parse_group_by(group_by)

        def op(conn: Connection) -> QualityMetrics:
            self._scope.experiment_row(conn, exp)
            return quality_metrics(conn, exp, start_ms, end_ms, buckets, grouping, group_by)

        return self._db.read(op)

    def query_trace_metrics(self, query: TraceMetricsQuery) -> PagedList[MetricDataPoint]:
        """MLflow's QueryTraceMetrics (see :mod:`.query_metrics`); one page, no token."""
        from ardea.store.sql.traces.query_metrics import query_trace_metrics
        from ardea.store.sql.tracking.search import parse_experiment_ids

        filters = check_query(query)
        experiments = parse_experiment_ids(list(query.experiment_ids))
        points = self._db.search(
            lambda conn: query_trace_metrics(conn, query, filters, experiments, self._scope)
        )
        return PagedList(points, None)

    def calculate_trace_filter_correlation(
        self,
        experiment_ids: Sequence[str],
        filter_string1: str,
        filter_string2: str,
        base_filter: str | None = None,
    ) -> TraceFilterCorrelation:
        """NPMI of two trace filters over the experiments' traces (four counts, one read)."""
        from ardea.store.search.traces import parse_trace_filter
        from ardea.store.sql.traces.search import trace_conditions
        from ardea.store.sql.tracking.search import parse_experiment_ids

        for name, text in (("filter_string1", filter_string1), ("filter_string2", filter_string2)):
            if not isinstance(text, str) or not text.strip():
                raise InvalidArgumentError(f"Missing value for required parameter '{name}'.")
        base = parse_trace_filter(base_filter) if base_filter else []
        first, second = parse_trace_filter(filter_string1), parse_trace_filter(filter_string2)
        experiments = parse_experiment_ids(list(experiment_ids))
        visible = self._scope.in_experiments(t.traces.c.experiment_id, experiments)
        dialect = self._db.dialect

        def count(conn: Connection, clauses: list[Any]) -> int:
            query = (
                sa.select(sa.func.count())
                .select_from(t.traces)
                .where(visible, *trace_conditions(clauses, dialect))
            )
            return int(conn.execute(query).scalar_one())

        def op(conn: Connection) -> tuple[int, int, int, int]:
            return (
                count(conn, [*base, *first, *second]),
                count(conn, [*base, *first]),
                count(conn, [*base, *second]),
                count(conn, base),
            )

        joint, n1, n2, total = self._db.search(op) if experiments else (0, 0, 0, 0)
        return correlation_from_counts(joint, n1, n2, total)

    def search_traces(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = SEARCH_TRACES_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[TraceInfo]:
        """Traces matching the trace filter grammar, ordered, one page at a time."""
        from ardea.store.search.traces import parse_trace_filter, parse_trace_order_by
        from ardea.store.sql._db.maintenance import stats_for
        from ardea.store.sql.traces.search import select_trace_ids
        from ardea.store.sql.tracking.search import parse_experiment_ids

        validate_max_results(max_results, SEARCH_TRACES_LIMIT)
        clauses = parse_trace_filter(filter_string)
        orders = parse_trace_order_by(list(order_by or ()))
        offset = offset_from_token(page_token)
        exp_ids = parse_experiment_ids(list(experiment_ids))
        if not exp_ids:
            return PagedList([], None)
        query = select_trace_ids(clauses, orders, exp_ids, self._db.dialect, self._scope)
        stats_for(self._db).maybe_refresh()

        def op(conn: Connection) -> PagedList[TraceInfo]:
            ids = list(conn.execute(query.offset(offset).limit(max_results + 1)).scalars())
            token = None
            if len(ids) > max_results:
                ids = ids[:max_results]
                token = encode_page_token({"offset": offset + max_results})
            return PagedList(load_trace_infos(conn, self._scope, ids), token)

        return self._db.search(op)
