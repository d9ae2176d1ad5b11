"""Alert rules (per experiment) and the events of their state changes.

Revision ID: 0023_alert_rules
Revises: 0022_issues
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0023_alert_rules"
down_revision = "0022_issues"
branch_labels = None
depends_on = None


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "alert_rules",
        sa.Column("rule_id", sa.String(length=36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("judge", sa.String(length=250), nullable=True),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("recovery_threshold", sa.Double(), nullable=True),
        sa.Column("window_seconds", sa.BigInteger(), nullable=False),
        sa.Column("min_samples", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_since", sa.BigInteger(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Double(), nullable=True),
        sa.Column("last_samples", sa.Integer(), nullable=False),
        sa.Column("last_evaluated", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("last_update_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name=op.f("fk_alert_rules_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rule_id", name=op.f("pk_alert_rules")),
        sa.UniqueConstraint(
            "experiment_id", "name", name=op.f("uq_alert_rules_experiment_id_name")
        ),
        **options,
    )
    op.create_table(
        "alert_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("rule_id", sa.String(length=36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("rule_name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["alert_rules.rule_id"],
            name=op.f("fk_alert_events_rule_id_alert_rules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_alert_events")),
        sa.UniqueConstraint("rule_id", "sequence", name=op.f("uq_alert_events_rule_id_sequence")),
        **options,
    )
    op.create_index(
        op.f("ix_alert_events_experiment_id_time"), "alert_events", ["experiment_id", "time"]
    )


def downgrade() -> None:
    there = set(sa.inspect(op.get_bind()).get_table_names())
    if "alert_events" in there:
        op.drop_index(op.f("ix_alert_events_experiment_id_time"), table_name="alert_events")
        op.drop_table("alert_events")
    if "alert_rules" in there:
        op.drop_table("alert_rules")
