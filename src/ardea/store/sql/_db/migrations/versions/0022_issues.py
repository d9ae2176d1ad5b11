"""MLflow's issues: ``issues`` (per experiment), and an index on assessments by name and kind
(an issue's trace links are assessments of kind ``issue`` named by the issue id).

Revision ID: 0022_issues
Revises: 0021_judge_alignment
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from ardea.store.sql._db.collation import mysql_table_options

revision = "0022_issues"
down_revision = "0021_judge_alignment"
branch_labels = None
depends_on = None

_JSON = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "issues",
        sa.Column("issue_id", sa.String(length=36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("description", _JSON, nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=True),
        sa.Column("root_causes", _JSON, nullable=True),
        sa.Column("source_run_id", sa.String(length=32), nullable=True),
        sa.Column("categories", _JSON, nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("last_updated_by", sa.String(length=255), nullable=True),
        sa.Column("created_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("metadata", _JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name=op.f("fk_issues_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issue_id", name=op.f("pk_issues")),
        **options,
    )
    op.create_index(op.f("ix_issues_experiment_id_status"), "issues", ["experiment_id", "status"])
    op.create_index(op.f("ix_assessments_name_kind"), "assessments", ["name", "kind"])


def downgrade() -> None:
    op.drop_index(op.f("ix_assessments_name_kind"), table_name="assessments")
    there = set(sa.inspect(op.get_bind()).get_table_names())
    if "issues" in there:
        op.drop_table("issues")
