"""The model registry schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

Registered models are keyed by name; renames cascade (``ON UPDATE CASCADE``) to versions,
tags and aliases. A deleted version keeps its row with stage ``Deleted_Internal`` (as MLflow
does) so that its number is never handed out again. Prompts (section 8 of MLFLOW-WIRE.md) are
registered models and versions with tags, so tag values are ``Text`` (a prompt template can
be 100,000 characters).
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = [
    "DELETED_STAGE",
    "model_version_tags",
    "model_versions",
    "registered_model_aliases",
    "registered_model_tags",
    "registered_models",
]

DELETED_STAGE = "Deleted_Internal"
"""``current_stage`` of a deleted version: invisible everywhere, its number kept."""

_NAME = 256
_KEY = 250


def _model_fk() -> sa.ForeignKey:
    return sa.ForeignKey("registered_models.name", ondelete="CASCADE", onupdate="CASCADE")


registered_models = sa.Table(
    "registered_models",
    metadata,
    sa.Column("name", sa.String(_NAME), primary_key=True),
    sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("user_id", sa.String(256), nullable=True),
    sa.Column("deployment_job_id", sa.String(256), nullable=True),
    **_MYSQL,
)

registered_model_tags = sa.Table(
    "registered_model_tags",
    metadata,
    sa.Column("name", sa.String(_NAME), _model_fk(), primary_key=True),
    sa.Column("key", sa.String(_KEY), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    **_MYSQL,
)

model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("name", sa.String(_NAME), _model_fk(), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
    sa.Column("current_stage", sa.String(20), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("storage_location", sa.Text, nullable=True),
    sa.Column("run_id", sa.String(256), nullable=True),
    sa.Column("model_id", sa.String(64), nullable=True),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("user_id", sa.String(256), nullable=True),
    sa.Column("run_link", sa.Text, nullable=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("status_message", sa.Text, nullable=True),
    sa.Index(None, "run_id"),
    sa.Index(None, "model_id"),
    # Covers "newest version per stage" (every model in a search page shows its latest versions).
    sa.Index("ix_model_versions_name_stage_version", "name", "current_stage", "version"),
    **_MYSQL,
)

model_version_tags = sa.Table(
    "model_version_tags",
    metadata,
    sa.Column("name", sa.String(_NAME), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("key", sa.String(_KEY), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(
        ["name", "version"],
        ["model_versions.name", "model_versions.version"],
        ondelete="CASCADE",
        onupdate="CASCADE",
    ),
    **_MYSQL,
)

registered_model_aliases = sa.Table(
    "registered_model_aliases",
    metadata,
    sa.Column("name", sa.String(_NAME), _model_fk(), primary_key=True),
    sa.Column("alias", sa.String(256), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    **_MYSQL,
)
