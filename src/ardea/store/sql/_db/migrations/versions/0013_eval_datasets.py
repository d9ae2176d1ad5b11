"""Evaluation datasets: datasets (per workspace), versioned records, versions, tags, links.

Revision ID: 0013_eval_datasets
Revises: 0012_workspaces
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from ardea.store.sql._db.collation import mysql_table_options

revision = "0013_eval_datasets"
down_revision = "0012_workspaces"
branch_labels = None
depends_on = None

_JSON = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")


def _dataset_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["dataset_id"],
        ["evaluation_datasets.dataset_id"],
        name=op.f(f"fk_{table}_dataset_id_evaluation_datasets"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "evaluation_datasets",
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("schema", _JSON, nullable=True),
        sa.Column("profile", sa.Text(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("content_sum", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("num_records", sa.Integer(), nullable=False),
        sa.Column("created_time", sa.BigInteger(), nullable=False),
        sa.Column("last_update_time", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("last_updated_by", sa.String(length=255), nullable=True),
        sa.Column("workspace", sa.String(length=63), server_default="default", nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace"],
            ["workspaces.name"],
            name=op.f("fk_evaluation_datasets_workspace_workspaces"),
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_evaluation_datasets")),
        **options,
    )
    op.create_index(
        op.f("ix_evaluation_datasets_workspace_created_time"),
        "evaluation_datasets",
        ["workspace", "created_time"],
    )
    op.create_index(
        op.f("ix_evaluation_datasets_workspace_name"), "evaluation_datasets", ["workspace", "name"]
    )
    op.create_table(
        "eval_dataset_tags",
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _dataset_fk("eval_dataset_tags"),
        sa.PrimaryKeyConstraint("dataset_id", "key", name=op.f("pk_eval_dataset_tags")),
        **options,
    )
    op.create_table(
        "eval_dataset_experiments",
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        _dataset_fk("eval_dataset_experiments"),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name=op.f("fk_eval_dataset_experiments_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "dataset_id", "experiment_id", name=op.f("pk_eval_dataset_experiments")
        ),
        **options,
    )
    op.create_index(
        op.f("ix_eval_dataset_experiments_experiment_id"),
        "eval_dataset_experiments",
        ["experiment_id"],
    )
    op.create_table(
        "eval_dataset_versions",
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("num_records", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=32), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("created_time", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        _dataset_fk("eval_dataset_versions"),
        sa.PrimaryKeyConstraint("dataset_id", "version", name=op.f("pk_eval_dataset_versions")),
        **options,
    )
    op.create_table(
        "eval_dataset_records",
        sa.Column("dataset_record_id", sa.String(length=36), nullable=False),
        sa.Column("valid_from", sa.Integer(), nullable=False),
        sa.Column("valid_to", sa.Integer(), nullable=True),
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("live_hash", sa.String(length=64), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("inputs", _JSON, nullable=False),
        sa.Column("outputs", _JSON, nullable=True),
        sa.Column("expectations", _JSON, nullable=True),
        sa.Column("tags", _JSON, nullable=True),
        sa.Column("source", _JSON, nullable=True),
        sa.Column("source_type", sa.String(length=32), nullable=True),
        sa.Column("source_id", sa.String(length=255), nullable=True),
        sa.Column("created_time", sa.BigInteger(), nullable=False),
        sa.Column("last_update_time", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("last_updated_by", sa.String(length=255), nullable=True),
        _dataset_fk("eval_dataset_records"),
        sa.PrimaryKeyConstraint(
            "dataset_record_id", "valid_from", name=op.f("pk_eval_dataset_records")
        ),
        sa.UniqueConstraint(
            "dataset_id", "live_hash", name=op.f("uq_eval_dataset_records_dataset_id_live_hash")
        ),
        **options,
    )
    op.create_index(
        "ix_eval_dataset_records_live",
        "eval_dataset_records",
        ["dataset_id", "valid_to", "created_time", "dataset_record_id"],
    )
    op.create_index(
        op.f("ix_eval_dataset_records_dataset_id_valid_from"),
        "eval_dataset_records",
        ["dataset_id", "valid_from"],
    )


def downgrade() -> None:
    # Dropping a table drops its indexes (MySQL refuses to drop one a foreign key needs). MySQL
    # commits DDL at once: a downgrade that failed further down (0012 refuses while anything
    # lives outside ``default``) has already dropped these, so only what is there goes.
    there = set(sa.inspect(op.get_bind()).get_table_names())
    for table in (
        "eval_dataset_records",
        "eval_dataset_versions",
        "eval_dataset_experiments",
        "eval_dataset_tags",
        "evaluation_datasets",
    ):
        if table in there:
            op.drop_table(table)
