"""Runs that logged metrics with a logged model's id, so that the model finds those metrics.

A metric point logged with ``model_id`` by a run that is not the model's source run, and that
neither output nor took it as an input, belongs to the model too (as in MLflow). The table is
filled from the metric points already stored with a model id: one pass over the metric
history, once.

Revision ID: 0010_logged_model_metric_runs
Revises: 0009_span_kind_links
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0010_logged_model_metric_runs"
down_revision = "0009_span_kind_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "logged_model_metric_runs",
        sa.Column("model_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.run_id"],
            name=op.f("fk_logged_model_metric_runs_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "run_id", name=op.f("pk_logged_model_metric_runs")),
        **options,
    )
    op.execute(
        "INSERT INTO logged_model_metric_runs (model_id, run_id) "
        "SELECT DISTINCT m.model_id, s.run_id FROM metrics m "
        "JOIN metric_series s ON s.series_id = m.series_id WHERE m.model_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("logged_model_metric_runs")
