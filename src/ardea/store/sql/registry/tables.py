"""The model registry schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

Registered models are keyed by ``(workspace, name)`` (names are unique per workspace), and so
is everything under them: versions, tags and aliases carry their model's workspace in their
key and reference the model by both columns, so a child can never sit in another workspace
than its model. Renames (and a workspace's move to ``default``) cascade (``ON UPDATE
CASCADE``) to versions, tags and aliases. A deleted version keeps its row with stage
``Deleted_Internal`` (as MLflow does) so that its number is never handed out again. Prompts
(section 8 of MLFLOW-WIRE.md) are registered models and versions with tags, so tag values are
``Text`` (a prompt template can be 100,000 characters).
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata
from ardea.store.sql.workspaces.tables import workspace_column

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
# ``workspace`` is in every registry key and has a server default (``default``): without
# ``implicit_returning=False``, SQLAlchemy would ask for it back (``RETURNING``) on every
# insert, which costs where it is emulated and fails on a database from before the column.


def _model_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace", "name"],
        ["registered_models.workspace", "registered_models.name"],
        ondelete="CASCADE",
        onupdate="CASCADE",
    )


registered_models = sa.Table(
    "registered_models",
    metadata,
    sa.Column("name", sa.String(_NAME), nullable=False),
    sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("user_id", sa.String(256), nullable=True),
    sa.Column("deployment_job_id", sa.String(256), nullable=True),
    workspace_column(),
    sa.PrimaryKeyConstraint("workspace", "name"),
    implicit_returning=False,
    **_MYSQL,
)

registered_model_tags = sa.Table(
    "registered_model_tags",
    metadata,
    sa.Column("name", sa.String(_NAME), nullable=False),
    sa.Column("key", sa.String(_KEY), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    workspace_column(foreign_key=False),
    sa.PrimaryKeyConstraint("workspace", "name", "key"),
    _model_fk(),
    implicit_returning=False,
    **_MYSQL,
)

model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("name", sa.String(_NAME), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, autoincrement=False),
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
    workspace_column(foreign_key=False),
    sa.PrimaryKeyConstraint("workspace", "name", "version"),
    _model_fk(),
    sa.Index(None, "run_id"),
    sa.Index(None, "model_id"),
    # Covers "newest version per stage" (every model in a search page shows its latest versions).
    sa.Index(
        "ix_model_versions_workspace_name_stage_version",
        "workspace",
        "name",
        "current_stage",
        "version",
    ),
    # The default search order (MLflow's): a page stops early instead of sorting them all.
    sa.Index(None, "workspace", "last_updated_timestamp"),
    sa.Index(None, "workspace", "name", "last_updated_timestamp"),  # and for one model's
    implicit_returning=False,
    **_MYSQL,
)

model_version_tags = sa.Table(
    "model_version_tags",
    metadata,
    sa.Column("name", sa.String(_NAME), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("key", sa.String(_KEY), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    workspace_column(foreign_key=False),
    sa.PrimaryKeyConstraint("workspace", "name", "version", "key"),
    sa.ForeignKeyConstraint(
        ["workspace", "name", "version"],
        ["model_versions.workspace", "model_versions.name", "model_versions.version"],
        ondelete="CASCADE",
        onupdate="CASCADE",
    ),
    # Every version search leaves prompts out by their tag: found by key, not by a full scan.
    sa.Index(None, "workspace", "key"),
    implicit_returning=False,
    **_MYSQL,
)

registered_model_aliases = sa.Table(
    "registered_model_aliases",
    metadata,
    sa.Column("name", sa.String(_NAME), nullable=False),
    sa.Column("alias", sa.String(256), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    workspace_column(foreign_key=False),
    sa.PrimaryKeyConstraint("workspace", "name", "alias"),
    _model_fk(),
    implicit_returning=False,
    **_MYSQL,
)
