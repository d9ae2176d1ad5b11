"""The SQL half of :class:`~ardea.store.visibility.Visibility`: which ids a search may return.

Every SQL search calls :func:`visibility_condition` with the type and id column of what it
searches (experiments, registered models and prompts, their versions, webhooks; runs,
traces, logged models and datasets through ``WorkspaceScope.in_experiments``); it is None
outside :func:`~ardea.store.visibility.reading_as`, so nothing changes without
authentication. :func:`visible` turns a visibility and a resource type into a condition on
the searched table's id column (as a string: grants name resources by their id's text, an
experiment by its canonical decimal id). It adds the caller's per-resource grants to the
mode the policy decided, as subqueries on the grant tables' indexes:

- ``denied``: ids with a DENY, the user's own or one of its roles' (in the workspace);
- ``readable``: ids with READ, USE, EDIT or MANAGE, the user's own or a role's;
- ``shut``: ids on which the user's own grant is NO_PERMISSIONS.

=================  ==============================================================
mode               condition
=================  ==============================================================
NOTHING            false
ALL_BUT_DENIED     ``id NOT IN denied``
DEFAULT            ``id NOT IN denied AND (id IN readable OR id NOT IN shut)``
GRANTED_ONLY       ``id IN readable AND id NOT IN denied``
=================  ==============================================================

Each subquery reads only one user's grants in one workspace (the grant tables' keys), so a
caller who can read 100 of 10,000 experiments costs a few index probes per row scanned.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ardea.entities.auth import WILDCARD, Permission
from ardea.store.sql._db.metadata import metadata
from ardea.store.visibility import Visibility, VisibilityMode, current_visibility

__all__ = ["id_text", "visibility_condition", "visible"]

_READABLE = [p.value for p in Permission if p.can_read]
_DENY = [Permission.DENY.value]
_NONE = [Permission.NO_PERMISSIONS.value]


def id_text(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """An integer id column as the text grants store (``CAST(id AS VARCHAR)``)."""
    return sa.cast(column, sa.String(32))


def _table(name: str) -> sa.Table:
    # By name: ``_db`` sits below the aggregates and imports none of them.
    return metadata.tables[name]


def _own(v: Visibility, rtype: str, levels: list[str]) -> sa.Select[Any]:
    ug = _table("auth_user_grants")
    return sa.select(ug.c.resource_id).where(
        ug.c.user_id == v.user_id,
        ug.c.workspace == v.workspace,
        ug.c.resource_type == rtype,
        ug.c.permission.in_(levels),
    )


def _by_role(v: Visibility, rtype: str, levels: list[str]) -> sa.Select[Any]:
    rg, ur, roles = _table("auth_role_grants"), _table("auth_user_roles"), _table("auth_roles")
    return (
        sa.select(rg.c.resource_pattern)
        .select_from(
            ur.join(rg, rg.c.role_id == ur.c.role_id).join(roles, roles.c.id == ur.c.role_id)
        )
        .where(
            ur.c.user_id == v.user_id,
            roles.c.workspace == v.workspace,
            rg.c.resource_type == rtype,
            rg.c.resource_pattern != WILDCARD,
            rg.c.permission.in_(levels),
        )
    )


def _ids(v: Visibility, rtype: str, levels: list[str]) -> sa.CompoundSelect[Any]:
    return sa.union(_own(v, rtype, levels), _by_role(v, rtype, levels))


def visible(
    visibility: Visibility,
    resource_type: str,
    id_column: ColumnElement[Any],
    *,
    as_text: bool = False,
) -> ColumnElement[bool]:
    """The condition that keeps the rows whose ``id_column`` the caller may read.

    Built once per visibility, type and column (kept, as a search reuses it page after page).

    Args:
        visibility: The caller's (from the policy).
        resource_type: The type whose grants count (``experiment``, ``prompt``, ...).
        id_column: The searched table's id column.
        as_text: Compare the column as text (an integer id: grants name it in decimal).
    """
    return _visible(visibility, str(resource_type), id_column, as_text)


@functools.lru_cache(maxsize=1024)
def _visible(
    visibility: Visibility, rtype: str, column: ColumnElement[Any], as_text: bool
) -> ColumnElement[bool]:
    id_column = id_text(column) if as_text else column
    mode = visibility.mode(rtype)
    if mode is VisibilityMode.NOTHING:
        return sa.false()
    not_denied = id_column.not_in(_ids(visibility, rtype, _DENY))
    if mode is VisibilityMode.ALL_BUT_DENIED:
        return not_denied
    readable = id_column.in_(_ids(visibility, rtype, _READABLE))
    if mode is VisibilityMode.DEFAULT:
        shut = id_column.in_(_own(visibility, rtype, _NONE))
        return sa.and_(not_denied, sa.or_(readable, sa.not_(shut)))
    return sa.and_(readable, not_denied)


def visibility_condition(
    resource_type: str, id_column: ColumnElement[Any], *, as_text: bool = False
) -> ColumnElement[bool] | None:
    """:func:`visible` for the current visibility, or None when searches are not filtered."""
    current = current_visibility()
    if current is None:
        return None
    return visible(current, resource_type, id_column, as_text=as_text)
