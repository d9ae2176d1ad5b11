"""The trace schema: traces, their tags and metadata, spans and assessments.

Declared on the one :data:`ardea.store.sql._db.metadata.metadata`; a trace belongs to an
experiment (``tracking/tables.py``).
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import KEY_LENGTH as _KEY
from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata
from ardea.store.sql.tracking import tables as _tracking  # noqa: F401 - experiments, for the FK

__all__ = [
    "archived_traces",
    "assessments",
    "pending_trace_links",
    "spans",
    "trace_metadata",
    "trace_tags",
    "traces",
]


def _experiment_fk() -> sa.ForeignKey:
    return sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE")


def _trace_fk() -> sa.ForeignKey:
    return sa.ForeignKey("traces.trace_id", ondelete="CASCADE")


traces = sa.Table(
    "traces",
    metadata,
    sa.Column("trace_id", sa.String(64), primary_key=True),
    sa.Column("experiment_id", sa.Integer, _experiment_fk(), nullable=False),
    sa.Column("request_time", sa.BigInteger, nullable=False),
    sa.Column("execution_duration", sa.BigInteger, nullable=True),
    sa.Column("end_time", sa.BigInteger, nullable=True),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("name", sa.String(500), nullable=True),
    sa.Column("session_id", sa.String(250), nullable=True),
    sa.Column("user_id", sa.String(250), nullable=True),
    sa.Column("run_id", sa.String(32), nullable=True),
    sa.Column("client_request_id", sa.String(250), nullable=True),
    sa.Column("request_preview", sa.Text, nullable=True),
    sa.Column("response_preview", sa.Text, nullable=True),
    sa.Column("span_count", sa.Integer, nullable=False),
    sa.Column("input_tokens", sa.BigInteger, nullable=True),
    sa.Column("output_tokens", sa.BigInteger, nullable=True),
    sa.Column("total_tokens", sa.BigInteger, nullable=True),
    sa.Column("cost", sa.Double, nullable=True),
    sa.Column("root_span_id", sa.String(16), nullable=True),
    sa.Column("info_finalized", sa.Boolean, nullable=False),
    sa.Index(None, "experiment_id", "request_time"),
    sa.Index(None, "experiment_id", "session_id"),
    **_MYSQL,
)
"""One row per trace, with the aggregates lists and filters need (times in ms)."""

trace_tags = sa.Table(
    "trace_tags",
    metadata,
    sa.Column("trace_id", sa.String(64), _trace_fk(), primary_key=True),
    sa.Column("key", sa.String(_KEY), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    # (key) only: a btree over a Text value of up to 8000 characters fails on PostgreSQL.
    sa.Index(None, "key"),
    **_MYSQL,
)

trace_metadata = sa.Table(
    "trace_metadata",
    metadata,
    sa.Column("trace_id", sa.String(64), _trace_fk(), primary_key=True),
    sa.Column("key", sa.String(_KEY), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    **_MYSQL,
)

spans = sa.Table(
    "spans",
    metadata,
    sa.Column("trace_id", sa.String(64), _trace_fk(), primary_key=True),
    sa.Column("span_id", sa.String(16), primary_key=True),
    sa.Column("parent_span_id", sa.String(16), nullable=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("span_type", sa.String(64), nullable=False),
    sa.Column("status_code", sa.String(16), nullable=False),
    sa.Column("status_message", sa.Text, nullable=True),
    sa.Column("start_time_ns", sa.BigInteger, nullable=False),
    sa.Column("end_time_ns", sa.BigInteger, nullable=True),
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("events", sa.Text, nullable=False),
    sa.Column("input_tokens", sa.BigInteger, nullable=True),
    sa.Column("output_tokens", sa.BigInteger, nullable=True),
    sa.Column("cost", sa.Double, nullable=True),
    sa.Column("model", sa.String(250), nullable=True),
    sa.Column("kind", sa.String(16), nullable=True),
    sa.Column("links", sa.Text, nullable=True),
    sa.Index(None, "trace_id", "parent_span_id", "start_time_ns"),
    sa.Index(None, "trace_id", "span_type"),  # span.type filters: one seek per trace
    sa.Index(None, "span_type"),
    **_MYSQL,
)
"""Spans; ``attributes``, ``events`` and ``links`` are JSON, times epoch nanoseconds.

``kind`` is the OpenTelemetry span kind (NULL for INTERNAL, the usual one); ``links`` is NULL
for a span without links."""

assessments = sa.Table(
    "assessments",
    metadata,
    sa.Column("assessment_id", sa.String(64), primary_key=True),
    sa.Column("trace_id", sa.String(64), _trace_fk(), nullable=False),
    sa.Column("span_id", sa.String(16), nullable=True),
    sa.Column("name", sa.String(250), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.Text, nullable=True),
    sa.Column("source_type", sa.String(32), nullable=False),
    sa.Column("source_id", sa.String(250), nullable=False),
    sa.Column("create_time", sa.BigInteger, nullable=False),
    sa.Column("last_update_time", sa.BigInteger, nullable=False),
    sa.Column("rationale", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("metadata", sa.Text, nullable=True),
    sa.Column("overrides", sa.String(64), nullable=True),
    sa.Column("valid", sa.Boolean, nullable=False),
    sa.Index(None, "trace_id"),
    sa.Index(None, "name", "kind"),
    **_MYSQL,
)
"""Feedback, expectations and issue links (kind ``issue``, named by the issue id); ``value``,
``error`` and ``metadata`` are JSON."""

pending_trace_links = sa.Table(
    "pending_trace_links",
    metadata,
    sa.Column("trace_id", sa.String(64), primary_key=True),
    sa.Column(
        "run_id",
        sa.String(32),
        sa.ForeignKey("runs.run_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("created_time", sa.BigInteger, nullable=False),
    sa.Index(None, "run_id"),
    sa.Index(None, "created_time"),
    **_MYSQL,
)
"""Links to runs of traces not stored yet (LinkTracesToRun raced the trace's export).

Applied, and deleted, when the trace's row is created (``links.py``); dropped with the run.
"""

archived_traces = sa.Table(
    "archived_traces",
    metadata,
    sa.Column("trace_id", sa.String(64), primary_key=True),
    sa.Column("experiment_id", sa.Integer, _experiment_fk(), nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("request_time", sa.BigInteger, nullable=False),
    sa.Index(None, "experiment_id", "request_time"),
    **_MYSQL,
)
"""Traces the retention sweep archived to Parquet and deleted: where each one now lives.

``location`` is the archive folder (a Parquet dataset of ``ardea.tracing.parquet``'s layout)
that holds the trace; GetTrace reads it from there. Dropped with the experiment."""
