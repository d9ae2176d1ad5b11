"""The tracking schema as SQLAlchemy Core tables (one :data:`metadata`).

This module is the single source of truth of the schema: the Alembic migrations in
``store/sql/migrations`` create exactly these tables, and a test checks that nothing drifts.

Conventions: times are epoch milliseconds in ``BigInteger`` columns; string values of params,
tags and JSON blobs are ``Text``; keys are ``String(250)``. A NaN metric is stored with
``is_nan=True`` and ``value=0``; infinities are clamped to the largest finite double.
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql.collation import MARIADB_COLLATION, mysql_table_options

__all__ = [
    "assessments",
    "datasets",
    "experiment_tags",
    "experiments",
    "latest_metrics",
    "logged_model_params",
    "logged_model_tags",
    "logged_models",
    "metadata",
    "metric_series",
    "metrics",
    "params",
    "run_inputs",
    "run_model_inputs",
    "run_outputs",
    "run_tags",
    "runs",
    "spans",
    "trace_metadata",
    "trace_tags",
    "traces",
]

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
"""The one MetaData of the tracking schema."""

_KEY = 250
_MYSQL = {"mysql_charset": "utf8mb4", "mysql_collate": MARIADB_COLLATION}
"""Binary NO PAD collation on MySQL/MariaDB, so ``=``, uniqueness and ordering are
case-sensitive and trailing spaces count, as on SQLite and PostgreSQL (``utf8mb4_bin`` is PAD
SPACE: "lr" = "lr "). Written with MariaDB's name; :func:`mysql_collation` picks the server's
(migration 0006 converts, and ``metadata.create_all`` swaps it in)."""


@sa.event.listens_for(metadata, "before_create")
def _server_collation(target: sa.MetaData, connection: sa.Connection, **kw: object) -> None:
    """Before ``create_all`` on MySQL, declare the server's own NO PAD collation."""
    options = mysql_table_options(connection.dialect)
    for table in target.tables.values():
        table.dialect_kwargs.update(options)


def _run_fk() -> sa.ForeignKey:
    return sa.ForeignKey("runs.run_id", ondelete="CASCADE")


def _model_fk() -> sa.ForeignKey:
    return sa.ForeignKey("logged_models.model_id", ondelete="CASCADE")


def _experiment_fk() -> sa.ForeignKey:
    return sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE")


experiments = sa.Table(
    "experiments",
    metadata,
    sa.Column("experiment_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("artifact_location", sa.String(2000), nullable=False),
    sa.Column("lifecycle_stage", sa.String(32), nullable=False),
    sa.Column("creation_time", sa.BigInteger, nullable=False),
    sa.Column("last_update_time", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("name"),
    sqlite_autoincrement=True,
    **_MYSQL,
)

experiment_tags = sa.Table(
    "experiment_tags",
    metadata,
    sa.Column("experiment_id", sa.Integer, _experiment_fk(), primary_key=True),
    sa.Column("key", sa.String(_KEY), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    **_MYSQL,
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.String(32), primary_key=True),
    sa.Column("experiment_id", sa.Integer, _experiment_fk(), nullable=False),
    sa.Column("run_name", sa.String(250), nullable=False),
    sa.Column("user_id", sa.String(256), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("start_time", sa.BigInteger, nullable=False),
    sa.Column("end_time", sa.BigInteger, nullable=True),
    sa.Column("deleted_time", sa.BigInteger, nullable=True),
    sa.Column("artifact_uri", sa.String(2000), nullable=False),
    sa.Column("lifecycle_stage", sa.String(32), nullable=False),
    sa.Index(None, "experiment_id", "lifecycle_stage", "start_time"),
    **_MYSQL,
)

run_tags = sa.Table(
    "run_tags",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk(), primary_key=True),
    sa.Column("key", sa.String(_KEY), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    **_MYSQL,
)

params = sa.Table(
    "params",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk(), primary_key=True),
    sa.Column("key", sa.String(_KEY), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    **_MYSQL,
)

metric_series = sa.Table(
    "metric_series",
    metadata,
    sa.Column("series_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(32), _run_fk(), nullable=False),
    sa.Column("key", sa.String(_KEY), nullable=False),
    sa.UniqueConstraint("run_id", "key"),  # also serves the FK and per-run lookups
    sqlite_autoincrement=True,  # never reuse the id of a deleted series
    **_MYSQL,
)
"""One row per (run, metric key): the small integer key of that metric's history."""

metrics = sa.Table(
    "metrics",
    metadata,
    sa.Column(
        "series_id",
        sa.Integer,
        sa.ForeignKey("metric_series.series_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("step", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("timestamp", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("value", sa.Double, primary_key=True),
    sa.Column("is_nan", sa.Boolean, primary_key=True),
    sa.Column("model_id", sa.String(64), nullable=True),
    sa.Column("dataset_name", sa.String(500), nullable=True),
    sa.Column("dataset_digest", sa.String(64), nullable=True),
    sqlite_with_rowid=False,  # one B-tree keyed by the PK: ~1.6x faster bulk inserts
    **_MYSQL,
)
"""Full metric history keyed by :data:`metric_series` (an integer key instead of ``(run_id,
key)`` makes the table ~2.5x smaller and inserts ~1.3x faster); exact duplicates are dropped."""

latest_metrics = sa.Table(
    "latest_metrics",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk(), primary_key=True),
    sa.Column("key", sa.String(_KEY), primary_key=True),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Column("step", sa.BigInteger, nullable=False),
    sa.Column("is_nan", sa.Boolean, nullable=False),
    sa.Index(None, "key", "value"),
    sqlite_with_rowid=False,
    **_MYSQL,
)
"""Per run and key, the point with the greatest (step, timestamp, value)."""

datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("dataset_id", sa.String(36), primary_key=True),
    sa.Column("experiment_id", sa.Integer, _experiment_fk(), nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("source_type", sa.String(36), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("schema", sa.Text, nullable=True),
    sa.Column("profile", sa.Text, nullable=True),
    sa.UniqueConstraint("experiment_id", "name", "digest"),
    **_MYSQL,
)

run_inputs = sa.Table(
    "run_inputs",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk(), primary_key=True),
    sa.Column(
        "dataset_id",
        sa.String(36),
        sa.ForeignKey("datasets.dataset_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("context", sa.String(250), nullable=True),
    sa.Column("tags", sa.Text, nullable=True),
    **_MYSQL,
)
"""Datasets used by runs; ``tags`` is a JSON object, ``context`` its ``mlflow.data.context``."""

run_model_inputs = sa.Table(
    "run_model_inputs",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk(), primary_key=True),
    sa.Column("model_id", sa.String(64), primary_key=True),
    **_MYSQL,
)

run_outputs = sa.Table(
    "run_outputs",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk(), primary_key=True),
    sa.Column("model_id", sa.String(64), primary_key=True),
    sa.Column("step", sa.BigInteger, nullable=False),
    **_MYSQL,
)

logged_models = sa.Table(
    "logged_models",
    metadata,
    sa.Column("model_id", sa.String(64), primary_key=True),
    sa.Column("experiment_id", sa.Integer, _experiment_fk(), nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("artifact_location", sa.String(2000), nullable=False),
    sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("lifecycle_stage", sa.String(32), nullable=False),
    sa.Column("model_type", sa.String(500), nullable=True),
    sa.Column("source_run_id", sa.String(32), nullable=True),
    sa.Column("status_message", sa.Text, nullable=True),
    sa.Index(None, "experiment_id", "creation_timestamp"),
    **_MYSQL,
)

logged_model_tags = sa.Table(
    "logged_model_tags",
    metadata,
    sa.Column("model_id", sa.String(64), _model_fk(), primary_key=True),
    sa.Column("key", sa.String(_KEY), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    **_MYSQL,
)

logged_model_params = sa.Table(
    "logged_model_params",
    metadata,
    sa.Column("model_id", sa.String(64), _model_fk(), primary_key=True),
    sa.Column("key", sa.String(_KEY), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    **_MYSQL,
)

# -- traces (issue 3) -------------------------------------------------------------------------


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
    sa.Index(None, "trace_id", "parent_span_id", "start_time_ns"),
    sa.Index(None, "trace_id", "span_type"),  # span.type filters: one seek per trace
    sa.Index(None, "span_type"),
    **_MYSQL,
)
"""Spans; ``attributes`` and ``events`` are JSON, times epoch nanoseconds."""

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
    **_MYSQL,
)
"""Feedback and expectations; ``value``, ``error`` and ``metadata`` are JSON."""
