"""Judge alignment: ``judge_alignments``, one row per alignment run of a judge (its lineage
and held-out agreement), promoted or rejected.

Revision ID: 0021_judge_alignment
Revises: 0020_gateway_guardrail_config
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from ardea.store.sql._db.collation import mysql_table_options

revision = "0021_judge_alignment"
down_revision = "0020_gateway_guardrail_config"
branch_labels = None
depends_on = None

_JSON = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "judge_alignments",
        sa.Column("alignment_id", sa.String(length=36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("optimizer", sa.String(length=64), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("new_version", sa.Integer(), nullable=True),
        sa.Column("promoted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("params_json", _JSON, nullable=False),
        sa.Column("labels_json", _JSON, nullable=False),
        sa.Column("before_json", _JSON, nullable=False),
        sa.Column("after_json", _JSON, nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name=op.f("fk_judge_alignments_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alignment_id", name=op.f("pk_judge_alignments")),
        **options,
    )
    op.create_index(
        "ix_judge_alignments_experiment_name",
        "judge_alignments",
        ["experiment_id", "name", "creation_time"],
    )


def downgrade() -> None:
    # The table's index goes with it (MySQL refuses to drop it alone: the foreign key uses it).
    op.drop_table("judge_alignments")
