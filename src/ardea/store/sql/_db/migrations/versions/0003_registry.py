"""Model registry: registered models, their tags and aliases, model versions and their tags.

Revision ID: 0003_registry
Revises: 0002_traces
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003_registry"
down_revision = "0002_traces"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def _model_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["name"],
        ["registered_models.name"],
        name=op.f(f"fk_{table}_name_registered_models"),
        ondelete="CASCADE",
        onupdate="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "registered_models",
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("creation_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(length=256), nullable=True),
        sa.Column("deployment_job_id", sa.String(length=256), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_registered_models")),
        **_MYSQL,
    )
    op.create_table(
        "registered_model_tags",
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _model_fk("registered_model_tags"),
        sa.PrimaryKeyConstraint("name", "key", name=op.f("pk_registered_model_tags")),
        **_MYSQL,
    )
    op.create_table(
        "model_versions",
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("creation_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("current_stage", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("storage_location", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=256), nullable=True),
        sa.Column("model_id", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(length=256), nullable=True),
        sa.Column("run_link", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        _model_fk("model_versions"),
        sa.PrimaryKeyConstraint("name", "version", name=op.f("pk_model_versions")),
        **_MYSQL,
    )
    op.create_index(op.f("ix_model_versions_run_id"), "model_versions", ["run_id"])
    op.create_index(op.f("ix_model_versions_model_id"), "model_versions", ["model_id"])
    op.create_table(
        "model_version_tags",
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["name", "version"],
            ["model_versions.name", "model_versions.version"],
            name=op.f("fk_model_version_tags_name_model_versions"),
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("name", "version", "key", name=op.f("pk_model_version_tags")),
        **_MYSQL,
    )
    op.create_table(
        "registered_model_aliases",
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("alias", sa.String(length=256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _model_fk("registered_model_aliases"),
        sa.PrimaryKeyConstraint("name", "alias", name=op.f("pk_registered_model_aliases")),
        **_MYSQL,
    )


def downgrade() -> None:
    op.drop_table("registered_model_aliases")
    op.drop_table("model_version_tags")
    op.drop_index(op.f("ix_model_versions_model_id"), table_name="model_versions")
    op.drop_index(op.f("ix_model_versions_run_id"), table_name="model_versions")
    op.drop_table("model_versions")
    op.drop_table("registered_model_tags")
    op.drop_table("registered_models")
