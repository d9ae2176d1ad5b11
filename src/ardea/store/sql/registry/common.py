"""Row lookups and small writes shared by the SQL registry modules (inside transactions)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from ardea._core.errors import NotFoundError
from ardea.entities import PagedList
from ardea.store.registry_validation import check_text
from ardea.store.search.paging import encode_page_token, offset_from_token
from ardea.store.sql._db.compiled import RawQuery
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.maintenance import stats_for
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.registry.tables import DELETED_STAGE
from ardea.store.validation import validate_max_results
from ardea.store.visibility import Visibility, current_visibility

__all__ = [
    "is_unique_violation",
    "model_for_write",
    "model_not_found",
    "search_page",
    "touch_model",
    "version_for_write",
    "version_not_found",
]


T = TypeVar("T")


def search_page(
    db: Database,
    scope: WorkspaceScope,
    page_query: Callable[
        [WorkspaceScope, str | None, tuple[str, ...], Dialect, Visibility | None], RawQuery
    ],
    limit: int,
    loader: Callable[[Connection, WorkspaceScope, list[Any]], list[T]],
    filter_string: str | None,
    max_results: int,
    order_by: Sequence[str],
    page_token: str | None,
) -> PagedList[T]:
    """One page of a registry search: checked arguments, the cached page query, loaded rows.

    Reads ``max_results + 1`` rows to know whether another page follows. In a search made
    for a caller (:func:`~ardea.store.visibility.reading_as`), only what it may read.
    """
    validate_max_results(max_results, limit)
    check_text("filter", filter_string)
    check_text("order_by", list(order_by or ()))
    offset = offset_from_token(page_token)
    order = tuple(order_by or ())
    query = page_query(scope, filter_string, order, db.read_engine.dialect, current_visibility())
    stats_for(db).maybe_refresh()

    def op(conn: Connection) -> PagedList[T]:
        rows = query.run(conn, page_limit=max_results + 1, page_offset=offset)
        token = None
        if len(rows) > max_results:
            rows = rows[:max_results]
            token = encode_page_token({"offset": offset + max_results})
        return PagedList(loader(conn, scope, rows), token)

    return db.search(op)


def model_not_found(name: str) -> NotFoundError:
    """MLflow's error for a missing registered model."""
    return NotFoundError(f"Registered Model with name={name} not found")


def version_not_found(name: str, version: object) -> NotFoundError:
    """MLflow's error for a missing model version."""
    return NotFoundError(f"Model Version (name={name}, version={version}) not found")


def is_unique_violation(exc: sa.exc.IntegrityError) -> bool:
    """Whether an IntegrityError is a duplicate key (SQLite, PostgreSQL, MySQL wording)."""
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate" in text


def model_for_write(
    conn: Connection, scope: WorkspaceScope, name: str, *, lock: bool = False
) -> sa.Row[Any]:
    """The registered model row in ``scope``.

    ``lock`` takes a row lock (``FOR UPDATE``) until commit.
    """
    if lock:
        row = scope.locked_row(conn, "registered_models", name=name)
    else:
        rm = scope.registered_models
        row = conn.execute(sa.select(rm).where(rm.c.name == name)).first()
    if row is None:
        raise model_not_found(name)
    return row


def version_for_write(
    conn: Connection, scope: WorkspaceScope, name: str, version: int
) -> sa.Row[Any]:
    """The visible model version row in ``scope`` (``version`` 0 never exists)."""
    mv = scope.model_versions
    row = None
    if version > 0:
        row = conn.execute(
            sa.select(mv).where(
                mv.c.name == name, mv.c.version == version, mv.c.current_stage != DELETED_STAGE
            )
        ).first()
    if row is None:
        raise version_not_found(name, version)
    return row


def touch_model(conn: Connection, scope: WorkspaceScope, name: str, now: int) -> None:
    """Move a registered model's ``last_updated_timestamp`` to ``now``."""
    conn.execute(scope.update("registered_models", name=name).values(last_updated_timestamp=now))
