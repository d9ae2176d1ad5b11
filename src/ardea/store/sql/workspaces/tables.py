"""The workspace schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

One row per workspace, keyed by its name: the top-level tables (``experiments``,
``registered_models`` and its children, ``webhooks``) carry a ``workspace`` column that
references it. Names never change (MLflow has no rename), so the name is the key and a request
needs no lookup to turn the name it carries into an id. ``default`` always exists (migration
``0012_workspaces`` creates it).
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = ["NAME_LENGTH", "SCOPED", "workspace_column", "workspaces"]

NAME_LENGTH = 63
"""Longest workspace name (MLflow's, and a DNS label's)."""

SCOPED = "workspace_scoped"
"""``Column.info`` key marking the ``workspace`` column of a table whose rows a workspace holds
(the tables the workspace scope owns; a table that merely names a workspace has no mark)."""

workspaces = sa.Table(
    "workspaces",
    metadata,
    sa.Column("name", sa.String(NAME_LENGTH), primary_key=True),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("default_artifact_root", sa.Text, nullable=True),
    sa.Column("default_permission", sa.String(32), nullable=True),
    sa.Column("creation_time", sa.BigInteger, nullable=False),
    sa.Column("last_update_time", sa.BigInteger, nullable=False),
    **_MYSQL,
)


@sa.event.listens_for(workspaces, "after_create")
def _create_default(target: sa.Table, connection: sa.Connection, **kw: object) -> None:
    """``metadata.create_all`` creates workspace ``default`` with the table (as 0011 does)."""
    connection.execute(
        target.insert().values(
            name="default",
            description="The default workspace",
            creation_time=0,
            last_update_time=0,
        )
    )


def workspace_column(*, foreign_key: bool = True) -> sa.Column[str]:
    """The ``workspace`` column of a table that belongs to a workspace (declared last).

    Args:
        foreign_key: Reference ``workspaces.name`` (top-level tables); the registry's children,
            whose composite key references their model's ``(workspace, name)``, pass False.
    """
    args: list[sa.ForeignKey] = []
    if foreign_key:
        args.append(sa.ForeignKey("workspaces.name"))
    # The server default puts rows written without a workspace (by hand, by other tools) in
    # ``default``; Ardea's own writes always set it (through the workspace scope).
    return sa.Column(
        "workspace",
        sa.String(NAME_LENGTH),
        *args,
        nullable=False,
        server_default="default",
        info={SCOPED: True},
    )
