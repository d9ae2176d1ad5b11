"""Traces: traces, trace tags and metadata, spans, assessments.

Revision ID: 0002_traces
Revises: 0001_initial
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002_traces"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def _trace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["trace_id"],
        ["traces.trace_id"],
        name=op.f(f"fk_{table}_trace_id_traces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "traces",
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("request_time", sa.BigInteger(), nullable=False),
        sa.Column("execution_duration", sa.BigInteger(), nullable=True),
        sa.Column("end_time", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("session_id", sa.String(length=250), nullable=True),
        sa.Column("user_id", sa.String(length=250), nullable=True),
        sa.Column("run_id", sa.String(length=32), nullable=True),
        sa.Column("client_request_id", sa.String(length=250), nullable=True),
        sa.Column("request_preview", sa.Text(), nullable=True),
        sa.Column("response_preview", sa.Text(), nullable=True),
        sa.Column("span_count", sa.Integer(), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=True),
        sa.Column("output_tokens", sa.BigInteger(), nullable=True),
        sa.Column("total_tokens", sa.BigInteger(), nullable=True),
        sa.Column("cost", sa.Double(), nullable=True),
        sa.Column("root_span_id", sa.String(length=16), nullable=True),
        sa.Column("info_finalized", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name=op.f("fk_traces_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trace_id", name=op.f("pk_traces")),
        **_MYSQL,
    )
    op.create_index(
        op.f("ix_traces_experiment_id_request_time"), "traces", ["experiment_id", "request_time"]
    )
    op.create_index(
        op.f("ix_traces_experiment_id_session_id"), "traces", ["experiment_id", "session_id"]
    )
    op.create_table(
        "assessments",
        sa.Column("assessment_id", sa.String(length=64), nullable=False),
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("span_id", sa.String(length=16), nullable=True),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=250), nullable=False),
        sa.Column("create_time", sa.BigInteger(), nullable=False),
        sa.Column("last_update_time", sa.BigInteger(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column("overrides", sa.String(length=64), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        _trace_fk("assessments"),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_assessments")),
        **_MYSQL,
    )
    op.create_index(op.f("ix_assessments_trace_id"), "assessments", ["trace_id"])
    op.create_table(
        "spans",
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("span_id", sa.String(length=16), nullable=False),
        sa.Column("parent_span_id", sa.String(length=16), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("span_type", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.String(length=16), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("start_time_ns", sa.BigInteger(), nullable=False),
        sa.Column("end_time_ns", sa.BigInteger(), nullable=True),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=True),
        sa.Column("output_tokens", sa.BigInteger(), nullable=True),
        sa.Column("cost", sa.Double(), nullable=True),
        sa.Column("model", sa.String(length=250), nullable=True),
        _trace_fk("spans"),
        sa.PrimaryKeyConstraint("trace_id", "span_id", name=op.f("pk_spans")),
        **_MYSQL,
    )
    op.create_index(op.f("ix_spans_span_type"), "spans", ["span_type"])
    op.create_index(op.f("ix_spans_trace_id_span_type"), "spans", ["trace_id", "span_type"])
    op.create_index(
        op.f("ix_spans_trace_id_parent_span_id_start_time_ns"),
        "spans",
        ["trace_id", "parent_span_id", "start_time_ns"],
    )
    for table in ("trace_metadata", "trace_tags"):
        op.create_table(
            table,
            sa.Column("trace_id", sa.String(length=64), nullable=False),
            sa.Column("key", sa.String(length=250), nullable=False),
            sa.Column("value", sa.Text(), nullable=False),
            _trace_fk(table),
            sa.PrimaryKeyConstraint("trace_id", "key", name=op.f(f"pk_{table}")),
            **_MYSQL,
        )
    op.create_index(op.f("ix_trace_tags_key"), "trace_tags", ["key"])


def downgrade() -> None:
    for table in ("trace_tags", "trace_metadata", "spans", "assessments", "traces"):
        op.drop_table(table)
