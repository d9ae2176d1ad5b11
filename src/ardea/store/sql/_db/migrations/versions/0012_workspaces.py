"""Workspaces: a ``workspaces`` table, and a ``workspace`` column on every top-level table.

Creates workspace ``default`` and puts every existing row in it:

- ``experiments`` and ``webhooks`` get ``workspace`` (a foreign key to ``workspaces.name``);
  experiment names become unique per workspace (``uq_experiments_workspace_name`` replaces
  ``uq_experiments_name``).
- The registry is keyed by ``(workspace, name)``: ``registered_models``, its tags, versions,
  version tags and aliases all get ``workspace`` in their primary key, and the children
  reference their model (or version) by ``(workspace, name[, version])``, cascading updates
  and deletes as before.

PostgreSQL and MySQL alter the tables in place (the new column's server default,
``'default'``, fills the rows there are, and keeps a row written without a workspace, by hand
or by another tool, in ``default``). SQLite cannot drop a constraint, so it rebuilds the seven
tables the recommended way: new table, copy, drop the old one, rename. That needs foreign keys
off (with them on, dropping ``experiments`` would cascade into every run), which Ardea's
upgrade path guarantees (:func:`ardea.store.sql._db.migrate.upgrade`); this revision refuses to
run otherwise. The ``experiments`` id sequence is carried over, so no purged id is reused.

Downgrade refuses while anything lives outside ``default``.

Revision ID: 0012_workspaces
Revises: 0011_auth
"""

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0012_workspaces"
down_revision = "0011_auth"
branch_labels = None
depends_on = None

DEFAULT = "default"
_WS = 63
_REGISTRY_KEYS: dict[str, list[str]] = {
    "registered_models": ["name"],
    "registered_model_tags": ["name", "key"],
    "model_versions": ["name", "version"],
    "model_version_tags": ["name", "version", "key"],
    "registered_model_aliases": ["name", "alias"],
}
_REGISTRY_CHILDREN = [t for t in _REGISTRY_KEYS if t != "registered_models"]
_TOP = ["experiments", "webhooks", "registered_models"]
_TABLES = ["experiments", "webhooks", *_REGISTRY_KEYS]
_OLD_STAGE_INDEX = "ix_model_versions_name_stage_version"
_NEW_STAGE_INDEX = "ix_model_versions_workspace_name_stage_version"
_OLD_WEBHOOK_INDEX = "ix_webhooks_creation_timestamp"
_NEW_WEBHOOK_INDEX = "ix_webhooks_workspace_creation_timestamp"


# ------------------------------------------------------------------------------- the schemas


def _ws_column(new: bool) -> list[sa.Column[Any]]:
    column = sa.Column("workspace", sa.String(_WS), nullable=False, server_default=DEFAULT)
    return [column] if new else []


def _child_fk(table: str, new: bool, parent: str, columns: list[str]) -> sa.ForeignKeyConstraint:
    keys = ["workspace", *columns] if new else columns
    return sa.ForeignKeyConstraint(
        keys,
        [f"{parent}.{c}" for c in keys],
        name=f"fk_{table}_{keys[0]}_{parent}",
        ondelete="CASCADE",
        onupdate="CASCADE",
    )


def _top_fk(table: str, new: bool) -> list[sa.ForeignKeyConstraint]:
    if not new:
        return []
    return [
        sa.ForeignKeyConstraint(
            ["workspace"], ["workspaces.name"], name=f"fk_{table}_workspace_workspaces"
        )
    ]


def _pk(table: str, new: bool) -> sa.PrimaryKeyConstraint:
    keys = _REGISTRY_KEYS[table]
    return sa.PrimaryKeyConstraint(*(["workspace", *keys] if new else keys), name=f"pk_{table}")


def _schemas(md: sa.MetaData, new: bool, prefix: str = "") -> dict[str, sa.Table]:
    """The seven tables before (``new=False``) or after this revision, named ``prefix + name``.

    Foreign keys name the final tables (``registered_models``, ``workspaces``): stubs of those
    are declared on ``md`` when ``prefix`` is set, so that the DDL compiles.
    """
    if prefix:
        sa.Table("workspaces", md, sa.Column("name", sa.String(_WS), primary_key=True))
        stub_cols = ["workspace", "name"] if new else ["name"]
        sa.Table("registered_models", md, *(sa.Column(c, sa.String(256)) for c in stub_cols))
        sa.Table(
            "model_versions",
            md,
            *(sa.Column(c, sa.String(256)) for c in stub_cols),
            sa.Column("version", sa.Integer),
        )
    tables: dict[str, sa.Table] = {}
    tables["experiments"] = sa.Table(
        prefix + "experiments",
        md,
        sa.Column("experiment_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_location", sa.String(2000), nullable=False),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("last_update_time", sa.BigInteger(), nullable=False),
        *_ws_column(new),
        sa.PrimaryKeyConstraint("experiment_id", name="pk_experiments"),
        sa.UniqueConstraint(
            *(["workspace", "name"] if new else ["name"]),
            name="uq_experiments_workspace_name" if new else "uq_experiments_name",
        ),
        *_top_fk("experiments", new),
        sqlite_autoincrement=True,
    )
    tables["webhooks"] = sa.Table(
        prefix + "webhooks",
        md,
        sa.Column("webhook_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("creation_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        *_ws_column(new),
        sa.PrimaryKeyConstraint("webhook_id", name="pk_webhooks"),
        *_top_fk("webhooks", new),
    )
    tables["registered_models"] = sa.Table(
        prefix + "registered_models",
        md,
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("creation_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(256), nullable=True),
        sa.Column("deployment_job_id", sa.String(256), nullable=True),
        *_ws_column(new),
        _pk("registered_models", new),
        *_top_fk("registered_models", new),
    )
    tables["registered_model_tags"] = sa.Table(
        prefix + "registered_model_tags",
        md,
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        *_ws_column(new),
        _pk("registered_model_tags", new),
        _child_fk("registered_model_tags", new, "registered_models", ["name"]),
    )
    tables["model_versions"] = sa.Table(
        prefix + "model_versions",
        md,
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("creation_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("current_stage", sa.String(20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("storage_location", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(256), nullable=True),
        sa.Column("model_id", sa.String(64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(256), nullable=True),
        sa.Column("run_link", sa.Text(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        *_ws_column(new),
        _pk("model_versions", new),
        _child_fk("model_versions", new, "registered_models", ["name"]),
    )
    tables["model_version_tags"] = sa.Table(
        prefix + "model_version_tags",
        md,
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        *_ws_column(new),
        _pk("model_version_tags", new),
        _child_fk("model_version_tags", new, "model_versions", ["name", "version"]),
    )
    tables["registered_model_aliases"] = sa.Table(
        prefix + "registered_model_aliases",
        md,
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("alias", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_ws_column(new),
        _pk("registered_model_aliases", new),
        _child_fk("registered_model_aliases", new, "registered_models", ["name"]),
    )
    return tables


def _indexes(new: bool) -> list[tuple[str, str, list[str]]]:
    """(name, table, columns) of the secondary indexes of the rebuilt tables."""
    return [
        ("ix_model_versions_run_id", "model_versions", ["run_id"]),
        ("ix_model_versions_model_id", "model_versions", ["model_id"]),
        (
            (_NEW_STAGE_INDEX, "model_versions", ["workspace", "name", "current_stage", "version"])
            if new
            else (_OLD_STAGE_INDEX, "model_versions", ["name", "current_stage", "version"])
        ),
        (
            (_NEW_WEBHOOK_INDEX, "webhooks", ["workspace", "creation_timestamp"])
            if new
            else (_OLD_WEBHOOK_INDEX, "webhooks", ["creation_timestamp"])
        ),
    ]


# ------------------------------------------------------------------------------------ SQLite


def _sqlite_rebuild(conn: sa.Connection, new: bool) -> None:
    """Rebuild the seven tables in their ``new`` (or old) form, keeping every row.

    The 12-step recipe of https://sqlite.org/lang_altertable.html#otheralter, with foreign
    keys off (checked) and a foreign key check at the end.
    """
    if conn.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "Revision 0012_workspaces rebuilds tables and must run on SQLite with foreign keys "
            "off: upgrade with `ardea db upgrade <uri>` (or by opening the store)."
        )
    md = sa.MetaData()
    rebuilt = _schemas(md, new, prefix="_ardea_new_")
    sequence = conn.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = 'experiments'"
    ).scalar()
    for name in _TABLES:
        table = rebuilt[name]
        table.create(conn)
        old_columns = [c.name for c in table.columns if c.name != "workspace"]
        cols = ", ".join(f'"{c}"' for c in old_columns)
        if new:
            conn.exec_driver_sql(
                f'INSERT INTO "{table.name}" ({cols}, workspace) '
                f"SELECT {cols}, '{DEFAULT}' FROM \"{name}\""
            )
        else:
            conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM "{name}"')
    for name in _TABLES:
        conn.exec_driver_sql(f'DROP TABLE "{name}"')
    for name in _TABLES:
        conn.exec_driver_sql(f'ALTER TABLE "{rebuilt[name].name}" RENAME TO "{name}"')
    for index, table_name, columns in _indexes(new):
        op.create_index(index, table_name, columns)
    if sequence is not None:
        conn.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'experiments'", (sequence,)
        )
        conn.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'experiments', ? WHERE NOT EXISTS "
            "(SELECT 1 FROM sqlite_sequence WHERE name = 'experiments')",
            (sequence,),
        )
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"Revision 0012_workspaces left broken foreign keys: {broken[:10]}")


# ------------------------------------------------------------------------ PostgreSQL, MySQL


def _drop_foreign_keys(conn: sa.Connection, keep: Callable[[dict[str, Any]], bool]) -> None:
    inspector = sa.inspect(conn)
    for table in _TABLES:
        for fk in inspector.get_foreign_keys(table):
            if fk["name"] and not keep(dict(fk)):
                op.drop_constraint(fk["name"], table, type_="foreignkey")


def _swap_primary_keys(conn: sa.Connection, new: bool) -> None:
    inspector = sa.inspect(conn)
    for table, keys in _REGISTRY_KEYS.items():
        current = inspector.get_pk_constraint(table).get("name") or f"pk_{table}"
        op.drop_constraint(current, table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["workspace", *keys] if new else keys)


def _create_foreign_keys(new: bool) -> None:
    for table, parent, columns in (
        ("registered_model_tags", "registered_models", ["name"]),
        ("model_versions", "registered_models", ["name"]),
        ("model_version_tags", "model_versions", ["name", "version"]),
        ("registered_model_aliases", "registered_models", ["name"]),
    ):
        keys = ["workspace", *columns] if new else columns
        op.create_foreign_key(
            f"fk_{table}_{keys[0]}_{parent}",
            table,
            parent,
            keys,
            keys,
            ondelete="CASCADE",
            onupdate="CASCADE",
        )
    if new:
        for table in _TOP:
            op.create_foreign_key(
                f"fk_{table}_workspace_workspaces", table, "workspaces", ["workspace"], ["name"]
            )


def _alter_upgrade(conn: sa.Connection) -> None:
    _drop_foreign_keys(conn, keep=lambda fk: fk["referred_table"] not in _REGISTRY_KEYS)
    for table in _TABLES:  # the server default fills the rows there are
        op.add_column(
            table,
            sa.Column("workspace", sa.String(_WS), nullable=False, server_default=DEFAULT),
        )
    _swap_primary_keys(conn, new=True)
    op.drop_constraint("uq_experiments_name", "experiments", type_="unique")
    op.create_unique_constraint(
        "uq_experiments_workspace_name", "experiments", ["workspace", "name"]
    )
    op.drop_index(_OLD_STAGE_INDEX, table_name="model_versions")
    op.drop_index(_OLD_WEBHOOK_INDEX, table_name="webhooks")
    for index, table, columns in _indexes(new=True)[2:]:
        op.create_index(index, table, columns)
    _create_foreign_keys(new=True)


def _alter_downgrade(conn: sa.Connection) -> None:
    _drop_foreign_keys(
        conn,
        keep=lambda fk: fk["referred_table"] not in (*_REGISTRY_KEYS, "workspaces"),
    )
    op.drop_constraint("uq_experiments_workspace_name", "experiments", type_="unique")
    op.create_unique_constraint("uq_experiments_name", "experiments", ["name"])
    op.drop_index(_NEW_STAGE_INDEX, table_name="model_versions")
    op.drop_index(_NEW_WEBHOOK_INDEX, table_name="webhooks")
    for index, table, columns in _indexes(new=False)[2:]:
        op.create_index(index, table, columns)
    _swap_primary_keys(conn, new=False)
    for table in _TABLES:
        op.drop_column(table, "workspace")
    _create_foreign_keys(new=False)


# --------------------------------------------------------------------------------- revision


def upgrade() -> None:
    conn = op.get_bind()
    options: dict[str, Any] = dict(mysql_table_options(conn.dialect))
    op.create_table(
        "workspaces",
        sa.Column("name", sa.String(_WS), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("default_artifact_root", sa.Text(), nullable=True),
        sa.Column("default_permission", sa.String(32), nullable=True),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("last_update_time", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_workspaces")),
        **options,
    )
    now = int(time.time() * 1000)
    conn.execute(
        sa.text(
            "INSERT INTO workspaces (name, description, creation_time, last_update_time) "
            "VALUES (:n, :d, :t, :t)"
        ),
        {"n": DEFAULT, "d": "The default workspace", "t": now},
    )
    if conn.dialect.name == "sqlite":
        _sqlite_rebuild(conn, new=True)
    else:
        _alter_upgrade(conn)


def downgrade() -> None:
    conn = op.get_bind()
    for table in _TABLES:
        outside = conn.execute(
            sa.text(f"SELECT COUNT(*) FROM {table} WHERE workspace <> :d"), {"d": DEFAULT}
        ).scalar()
        if outside:
            raise RuntimeError(
                f"Cannot downgrade below 0012_workspaces: {table} holds {outside} row(s) outside "
                "the default workspace (delete their workspaces first)."
            )
    if conn.dialect.name == "sqlite":
        _sqlite_rebuild(conn, new=False)
    else:
        _alter_downgrade(conn)
    op.drop_table("workspaces")
