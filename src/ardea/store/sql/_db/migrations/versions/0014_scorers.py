"""The scorer registry: scorers (per experiment), their versions, online scoring configs.

Revision ID: 0014_scorers
Revises: 0013_eval_datasets
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from ardea.store.sql._db.collation import mysql_table_options

revision = "0014_scorers"
down_revision = "0013_eval_datasets"
branch_labels = None
depends_on = None

_JSON = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")


def _scorer_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["scorer_id"],
        ["scorers.scorer_id"],
        name=op.f(f"fk_{table}_scorer_id_scorers"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "scorers",
        sa.Column("scorer_id", sa.String(length=36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name=op.f("fk_scorers_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scorer_id", name=op.f("pk_scorers")),
        sa.UniqueConstraint("experiment_id", "name", name=op.f("uq_scorers_experiment_id_name")),
        **options,
    )
    op.create_table(
        "scorer_versions",
        sa.Column("scorer_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("serialized_scorer", _JSON, nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        _scorer_fk("scorer_versions"),
        sa.PrimaryKeyConstraint("scorer_id", "version", name=op.f("pk_scorer_versions")),
        **options,
    )
    op.create_table(
        "online_scoring_configs",
        sa.Column("online_scoring_config_id", sa.String(length=36), nullable=False),
        sa.Column("scorer_id", sa.String(length=36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("sample_rate", sa.Float(), nullable=False),
        sa.Column("filter_string", sa.Text(), nullable=True),
        _scorer_fk("online_scoring_configs"),
        sa.PrimaryKeyConstraint("online_scoring_config_id", name=op.f("pk_online_scoring_configs")),
        sa.UniqueConstraint("scorer_id", name=op.f("uq_online_scoring_configs_scorer_id")),
        **options,
    )


def downgrade() -> None:
    there = set(sa.inspect(op.get_bind()).get_table_names())
    for table in ("online_scoring_configs", "scorer_versions", "scorers"):
        if table in there:
            op.drop_table(table)
