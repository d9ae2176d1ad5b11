"""The workspace scope: the one place SQL statements are limited to a workspace.

A table that belongs to a workspace has a ``workspace`` column (declared with
``workspaces.tables.workspace_column``, which marks it): the top-level tables (``experiments``,
``registered_models``, ``webhooks``, ``evaluation_datasets``) and the registry's children,
whose key carries their model's workspace (``registered_model_tags``, ``model_versions``,
``model_version_tags``, ``registered_model_aliases``). These *owned* tables are found on the
shared :data:`~ardea.store.sql._db.metadata.metadata` by that mark (a table that gains such a
column is owned from then on; one that only names a workspace, as a permission grant does, is
not), and no module but this one names them in a statement
(``tests/architecture/test_workspace_scope.py`` checks it). The SQL stores hold a
:class:`WorkspaceScope` and reach owned tables only through it:

- reads through pre-filtered selectables (:meth:`WorkspaceScope.table`, ``scope.experiments``,
  ...), or :meth:`WorkspaceScope.sql_table` in raw SQL;
- writes through :meth:`~WorkspaceScope.insert`, :meth:`~WorkspaceScope.update`,
  :meth:`~WorkspaceScope.delete`, :meth:`~WorkspaceScope.upsert` and friends, which set or
  match the workspace;
- what lives under an experiment (runs, traces, logged models, ...) through the guards
  :meth:`~WorkspaceScope.owns_experiment` (a correlated ``EXISTS`` added to the statement
  that reads the child anyway, so no extra round trip) and
  :meth:`~WorkspaceScope.in_experiments` (the searched ids, narrowed inside the search to
  the workspace's, and to those the caller may read when a search runs for one: see
  :mod:`ardea.store.visibility`).

An id from another workspace thus finds nothing, and the stores answer it as they answer an id
that does not exist (NotFoundError, never a permission error and never data).

The workspace name is bound as a parameter in SQLAlchemy statements and written as a literal
in raw SQL: names match ``[a-z0-9-]`` only (checked here again), so a literal is safe.
Statements a hot path builds once are cached per scope (:meth:`WorkspaceScope.cached`); the
backend keeps one scope per workspace, so each is built once per workspace.

This module imports no aggregate (``_db`` sits below them): tables are looked up by name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ardea._core.errors import NotFoundError
from ardea.entities.workspace import DEFAULT_WORKSPACE, is_workspace_name
from ardea.store.sql._db.common import insert_ignore, upsert
from ardea.store.sql._db.metadata import metadata
from ardea.store.sql._db.visibility import visibility_condition

__all__ = ["DEFAULT_SCOPE", "WORKSPACE_COLUMN", "WorkspaceScope", "owned_tables"]

T = TypeVar("T")

WORKSPACE_COLUMN = "workspace"
"""The column that says which workspace a row belongs to."""
_MARK = "workspace_scoped"  # Column.info key set by workspaces.tables.workspace_column


def _is_owned(table: sa.Table) -> bool:
    column = table.c.get(WORKSPACE_COLUMN)
    return column is not None and bool(column.info.get(_MARK))


_TOP_LEVEL = (
    "registered_models",
    "experiments",
    "webhooks",
    "evaluation_datasets",
    "gateway_endpoints",
    "gateway_guardrails",
    "gateway_budget_policies",
    "gateway_model_definitions",
    "gateway_secrets",
)
"""Owned tables whose rows move or go with their workspace (children follow by cascade), in
an order that deletes referencing rows first."""

_NAMED = (
    ("registered_models", "name"),
    ("experiments", "name"),
    ("gateway_endpoints", "name"),
    ("gateway_guardrails", "name"),
    ("gateway_model_definitions", "name"),
    ("gateway_secrets", "secret_name"),
)
"""Owned tables whose names are unique per workspace, and their name column."""


def owned_tables() -> dict[str, sa.Table]:
    """The tables whose rows a workspace holds, by name, among those registered so far.

    Import :mod:`ardea.store.sql.schema` first to see every aggregate's.
    """
    return {name: table for name, table in metadata.tables.items() if _is_owned(table)}


def _owned(name: str) -> sa.Table:
    table = metadata.tables.get(name)
    if table is None or not _is_owned(table):
        raise KeyError(f"{name!r} is not a table that belongs to a workspace")
    return table


class WorkspaceScope:
    """Statements limited to one workspace.

    Args:
        name: The workspace (``default`` when omitted).

    Raises:
        ValueError: ``name`` is not a workspace name.
    """

    __slots__ = ("_cache", "_lock", "name")

    def __init__(self, name: str = DEFAULT_WORKSPACE) -> None:
        if name != DEFAULT_WORKSPACE and not is_workspace_name(name):
            raise ValueError(f"Not a workspace name: {name!r}")
        self.name = name
        self._cache: dict[object, Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WorkspaceScope({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkspaceScope) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("WorkspaceScope", self.name))

    def cached(self, key: object, build: Callable[[], T]) -> T:
        """``build()``, once per scope and ``key`` (statements of hot paths)."""
        try:
            value: T = self._cache[key]
            return value
        except KeyError:
            pass
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            found: T = self._cache[key]
            return found

    # -- reads --------------------------------------------------------------------------------

    def table(self, name: str) -> sa.Subquery:
        """The rows of owned table ``name`` in this workspace, as a selectable named ``name``.

        Use it wherever the table would go: ``select(s.c.x).where(s.c.y == 1)``, joins,
        correlated subqueries. Databases flatten it into the enclosing query.
        """

        def build() -> sa.Subquery:
            table = _owned(name)
            return sa.select(table).where(table.c.workspace == self.name).subquery(name)

        return self.cached(("table", name), build)

    @property
    def experiments(self) -> sa.Subquery:
        """This workspace's ``experiments``."""
        return self.table("experiments")

    @property
    def registered_models(self) -> sa.Subquery:
        """This workspace's ``registered_models`` (prompts included)."""
        return self.table("registered_models")

    @property
    def registered_model_tags(self) -> sa.Subquery:
        """This workspace's ``registered_model_tags``."""
        return self.table("registered_model_tags")

    @property
    def model_versions(self) -> sa.Subquery:
        """This workspace's ``model_versions``."""
        return self.table("model_versions")

    @property
    def model_version_tags(self) -> sa.Subquery:
        """This workspace's ``model_version_tags``."""
        return self.table("model_version_tags")

    @property
    def registered_model_aliases(self) -> sa.Subquery:
        """This workspace's ``registered_model_aliases``."""
        return self.table("registered_model_aliases")

    @property
    def webhooks(self) -> sa.Subquery:
        """This workspace's ``webhooks``."""
        return self.table("webhooks")

    @property
    def evaluation_datasets(self) -> sa.Subquery:
        """This workspace's ``evaluation_datasets``."""
        return self.table("evaluation_datasets")

    def base(self, name: str) -> tuple[sa.Table, ColumnElement[bool]]:
        """Owned table ``name`` itself and the condition that keeps this workspace's rows.

        For what the other helpers cannot express: locking reads (``FOR UPDATE``, which not
        every database applies through a derived table) and writes matching more than
        equalities. Every statement built on it must apply the condition.
        """
        table = _owned(name)
        return table, table.c.workspace == self.name

    def sql_table(self, name: str) -> str:
        """Raw SQL for :meth:`table`: ``(SELECT * FROM name WHERE workspace = '<ws>')``.

        Put it where the table name would go (``FROM {scope.sql_table("x")} x``).
        """
        _owned(name)
        return f"(SELECT * FROM {name} WHERE {WORKSPACE_COLUMN} = '{self.name}')"

    # -- writes to owned tables ---------------------------------------------------------------

    def insert(self, name: str) -> sa.Insert:
        """``INSERT INTO name`` with this workspace set (give the other values per row)."""
        return _owned(name).insert().values(workspace=self.name)

    def update(self, name: str, /, **keys: Any) -> sa.Update:
        """``UPDATE name ... WHERE workspace = <ws> AND <key> = <value> ...``."""
        table = _owned(name)
        return table.update().where(table.c.workspace == self.name, *_matches(table, keys))

    def delete(self, name: str, /, **keys: Any) -> sa.Delete:
        """``DELETE FROM name WHERE workspace = <ws> AND <key> = <value> ...``."""
        table = _owned(name)
        return table.delete().where(table.c.workspace == self.name, *_matches(table, keys))

    def rows(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """``rows`` with this workspace set on each (for executemany inserts)."""
        return [{**row, WORKSPACE_COLUMN: self.name} for row in rows]

    def upsert(
        self,
        conn: Connection,
        name: str,
        rows: Sequence[Mapping[str, Any]],
        keys: Sequence[str],
        update: Sequence[str],
    ) -> None:
        """:func:`~ardea.store.sql._db.common.upsert` of ``rows`` into this workspace."""
        upsert(conn, _owned(name), self.rows(rows), [WORKSPACE_COLUMN, *keys], update)

    def insert_ignore(self, conn: Connection, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """:func:`~ardea.store.sql._db.common.insert_ignore` of ``rows`` into this workspace."""
        insert_ignore(conn, _owned(name), self.rows(rows))

    @staticmethod
    def taken_anywhere(conn: Connection, name: str, /, **keys: Any) -> bool:
        """Whether owned table ``name`` has a row with ``keys`` in *any* workspace.

        Only for restoring rows with their ids (``ardea import``): an id is global, so one
        taken in another workspace cannot be reused. Says nothing else about that row.
        """
        table = _owned(name)
        query = sa.select(sa.literal(1)).where(*_matches(table, keys)).limit(1)
        return conn.execute(query).first() is not None

    def locked_row(self, conn: Connection, name: str, /, **keys: Any) -> sa.Row[Any] | None:
        """The row of ``name`` with ``keys`` in this workspace, locked until commit (servers)."""
        table = _owned(name)
        query = sa.select(table).where(table.c.workspace == self.name, *_matches(table, keys))
        if conn.dialect.name != "sqlite":
            query = query.with_for_update()
        return conn.execute(query).first()

    # -- what lives under an experiment -------------------------------------------------------

    def owns_experiment(self, experiment_id: ColumnElement[Any]) -> ColumnElement[bool]:
        """True where ``experiment_id`` (a child's column) names an experiment of this workspace.

        A correlated ``EXISTS`` on the experiments' primary key: add it to the statement that
        reads or changes the child, it costs one index probe and no round trip.
        """
        ex = _owned("experiments")
        return sa.exists().where(ex.c.experiment_id == experiment_id, ex.c.workspace == self.name)

    def sql_owns_experiment(self, experiment_id: str) -> str:
        """Raw SQL for :meth:`owns_experiment` on column expression ``experiment_id``."""
        return (
            f"EXISTS (SELECT 1 FROM experiments ws_e WHERE ws_e.experiment_id = {experiment_id} "
            f"AND ws_e.{WORKSPACE_COLUMN} = '{self.name}')"
        )

    def in_experiments(
        self, experiment_id: ColumnElement[Any], ids: Sequence[int]
    ) -> ColumnElement[bool]:
        """``experiment_id IN ids``, narrowed to this workspace's experiments.

        The literal list stays (the planner walks the column's index with it, ordered and
        stopping at the page's end); the workspace check is a list subquery on the
        experiments' primary key, evaluated once per statement.
        """
        return sa.and_(experiment_id.in_(list(ids)), experiment_id.in_(self.experiment_ids(ids)))

    def experiment_ids(self, ids: Sequence[int]) -> sa.Select[tuple[int]]:
        """The ids among ``ids`` of this workspace's experiments, for ``column.in_(...)``.

        In a search made for a caller (:func:`~ardea.store.visibility.reading_as`), only
        those it may read: every search of what lives under experiments goes through here.
        """
        ex = _owned("experiments")
        query = sa.select(ex.c.experiment_id).where(
            ex.c.experiment_id.in_(list(ids)), ex.c.workspace == self.name
        )
        readable = visibility_condition("experiment", ex.c.experiment_id, as_text=True)
        return query if readable is None else query.where(readable)

    def experiment_row(self, conn: Connection, experiment_id: int) -> sa.Row[Any]:
        """The experiment's row (any stage); NotFoundError when it is not in this workspace."""

        def build() -> sa.Select[Any]:
            ex = _owned("experiments")
            return sa.select(ex).where(
                ex.c.experiment_id == sa.bindparam("experiment_id"), ex.c.workspace == self.name
            )

        row = conn.execute(self.cached("experiment_row", build), {"experiment_id": experiment_id})
        found = row.first()
        if found is None:
            raise NotFoundError(f"No Experiment with id={experiment_id} exists")
        return found

    # -- a workspace's content (the workspace store: delete and move) ------------------------

    def content_counts(self, conn: Connection) -> dict[str, int]:
        """How many rows each top-level table holds in this workspace (only non-zero ones)."""
        counts: dict[str, int] = {}
        for name in _TOP_LEVEL:
            table = _owned(name)
            n = conn.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.workspace == self.name)
            ).scalar_one()
            if n:
                counts[name] = int(n)
        return counts

    def delete_content(self, conn: Connection) -> None:
        """Delete everything in this workspace (children go by ``ON DELETE CASCADE``)."""
        for name in _TOP_LEVEL:
            table = _owned(name)
            conn.execute(table.delete().where(table.c.workspace == self.name))

    def name_conflicts(self, conn: Connection, target: WorkspaceScope) -> list[str]:
        """``table: 'name'`` for each name of this workspace that ``target`` already uses."""
        out: list[str] = []
        for name, column in _NAMED:
            table = _owned(name)
            theirs = sa.select(table.c[column]).where(table.c.workspace == target.name)
            clash = sa.select(table.c[column]).where(
                table.c.workspace == self.name, table.c[column].in_(theirs)
            )
            found = conn.execute(clash.order_by(table.c[column])).scalars()
            out += [f"{name}: {n!r}" for n in found]
        return out

    def move_content(self, conn: Connection, target: WorkspaceScope) -> None:
        """Move everything in this workspace to ``target`` (the registry's children follow)."""
        for name in _TOP_LEVEL:
            table = _owned(name)
            conn.execute(
                table.update().where(table.c.workspace == self.name).values(workspace=target.name)
            )


def _matches(table: sa.Table, keys: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    return [table.c[key] == value for key, value in keys.items()]


DEFAULT_SCOPE = WorkspaceScope(DEFAULT_WORKSPACE)
"""The scope of workspace ``default`` (what an unscoped backend's stores use)."""
