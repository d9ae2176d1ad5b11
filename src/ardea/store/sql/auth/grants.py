"""User grants, and everything that bears on one resource for one user (``grants_for``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import NotFoundError
from ardea._core.ids import now_ms
from ardea.entities.auth import (
    DEFAULT_WORKSPACE,
    WILDCARD,
    GrantSet,
    Permission,
    ResourceType,
    UserGrant,
    check_user_grant,
    validate_workspace_name,
)
from ardea.store.sql._db.common import upsert
from ardea.store.sql._db.engine import Database
from ardea.store.sql.auth.common import check_id
from ardea.store.sql.auth.tables import role_grants, roles, user_grants, user_roles
from ardea.store.sql.auth.users import load_user

__all__ = ["SqlGrants", "grants_query"]

_GRANTS_SQL: dict[tuple[str, bool], str] = {}

_WS = ResourceType.WORKSPACE.value


def _grant_from_row(row: Any) -> UserGrant:
    return UserGrant(
        user_id=row.user_id,
        resource_type=ResourceType(row.resource_type),
        resource_id=row.resource_id,
        permission=Permission(row.permission),
        workspace=row.workspace,
    )


def _key(user_id: int, rtype: ResourceType, rid: str, workspace: str) -> sa.ColumnElement[bool]:
    ug = user_grants
    return sa.and_(
        ug.c.user_id == user_id,
        ug.c.workspace == workspace,
        ug.c.resource_type == rtype.value,
        ug.c.resource_id == rid,
    )


def _not_found(user_id: int, rtype: ResourceType, rid: str, workspace: str) -> NotFoundError:
    return NotFoundError(
        f"User {user_id} has no permission on {rtype.value} {rid!r} in workspace {workspace!r}"
    )


def grants_query(
    user_id: int, rtype: ResourceType, rid: str, workspace: str
) -> sa.CompoundSelect[Any]:
    """One ``UNION ALL`` with a row ``(source, permission)`` per grant that applies.

    ``source`` is ``u`` (the user's own grant on the resource), ``r`` (a role grant on its
    id or ``*``) or ``w`` (a workspace grant, the user's own or a role's). Every branch is an
    indexed lookup: the user grants' primary key, and the user's roles through
    ``auth_user_roles (user_id, role_id)`` and ``auth_role_grants (role_id, type, pattern)``.
    """
    ug, rg, ur = user_grants, role_grants, user_roles
    own = sa.select(sa.literal_column("'u'").label("source"), ug.c.permission).where(
        _key(user_id, rtype, rid, workspace)
    )
    own_ws = sa.select(sa.literal_column("'w'"), ug.c.permission).where(
        _key(user_id, ResourceType.WORKSPACE, workspace, workspace)
    )
    is_ws = sa.and_(rg.c.resource_type == _WS, rg.c.resource_pattern == WILDCARD)
    by_role = (
        sa.select(
            sa.case(
                (rg.c.resource_type == _WS, sa.literal_column("'w'")),
                else_=sa.literal_column("'r'"),
            ),
            rg.c.permission,
        )
        .select_from(
            ur.join(rg, rg.c.role_id == ur.c.role_id).join(roles, roles.c.id == ur.c.role_id)
        )
        .where(
            ur.c.user_id == user_id,
            roles.c.workspace == workspace,
            sa.or_(
                sa.and_(
                    rg.c.resource_type == rtype.value, rg.c.resource_pattern.in_([rid, WILDCARD])
                ),
                is_ws,
            ),
        )
    )
    if rtype is ResourceType.WORKSPACE:  # the resource is the workspace: no separate own grant
        return sa.union_all(own_ws, by_role)
    return sa.union_all(own, own_ws, by_role)


def _role_grant_ids(conn: Connection, rtype: ResourceType, rid: str, workspace: str) -> list[int]:
    """The ids of the role grants naming one resource id, in the roles of one workspace."""
    rg = role_grants
    query = sa.select(rg.c.id).where(
        rg.c.resource_type == rtype.value,
        rg.c.resource_pattern == rid,
        rg.c.role_id.in_(sa.select(roles.c.id).where(roles.c.workspace == workspace)),
    )
    return [int(i) for i in conn.execute(query).scalars()]


def _grants_sql(mark: str, on_workspace: bool) -> str:
    """:func:`grants_query` as raw SQL (the policy asks it on every request)."""
    own = (
        "SELECT 'u', permission FROM auth_user_grants WHERE user_id = {m} AND workspace = {m} "
        "AND resource_type = {m} AND resource_id = {m} UNION ALL "
    )
    own_ws = (
        "SELECT 'w', permission FROM auth_user_grants WHERE user_id = {m} AND workspace = {m} "
        "AND resource_type = 'workspace' AND resource_id = {m}"
    )
    by_role = (
        " UNION ALL SELECT CASE WHEN rg.resource_type = 'workspace' THEN 'w' ELSE 'r' END, "
        "rg.permission FROM auth_user_roles ur "
        "JOIN auth_role_grants rg ON rg.role_id = ur.role_id "
        "JOIN auth_roles r ON r.id = ur.role_id "
        "WHERE ur.user_id = {m} AND r.workspace = {m} AND ("
        "(rg.resource_type = {m} AND rg.resource_pattern IN ({m}, '*')) "
        "OR (rg.resource_type = 'workspace' AND rg.resource_pattern = '*'))"
    )
    return ("" if on_workspace else own).format(m=mark) + (own_ws + by_role).format(m=mark)


class SqlGrants:
    """Per-user grants on single resources, and the one-query lookup for the policy."""

    _db: Database

    def grant(
        self,
        user_id: int,
        resource_type: ResourceType | str,
        resource_id: str,
        permission: Permission | str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> UserGrant:
        """Give (or change) a user's level on one resource."""
        check_id(user_id, "user id")
        rtype, rid, level, ws = check_user_grant(resource_type, resource_id, permission, workspace)
        row = {
            "user_id": user_id,
            "workspace": ws,
            "resource_type": rtype.value,
            "resource_id": rid,
            "permission": level.value,
            "updated": now_ms(),
        }

        def op(conn: Connection) -> UserGrant:
            load_user(conn, user_id)
            upsert(
                conn,
                user_grants,
                [row],
                keys=["user_id", "workspace", "resource_type", "resource_id"],
                update=["permission", "updated"],
            )
            return UserGrant(user_id, rtype, rid, level, ws)

        return self._db.write(op)

    def revoke(
        self,
        user_id: int,
        resource_type: ResourceType | str,
        resource_id: str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> None:
        """Remove a user's grant on one resource."""
        check_id(user_id, "user id")
        rtype, rid, _, ws = check_user_grant(resource_type, resource_id, Permission.USE, workspace)
        stmt = user_grants.delete().where(_key(user_id, rtype, rid, ws))

        def op(conn: Connection) -> None:
            if conn.execute(stmt).rowcount == 0:
                raise _not_found(user_id, rtype, rid, ws)

        self._db.write(op)

    def get_grant(
        self,
        user_id: int,
        resource_type: ResourceType | str,
        resource_id: str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> UserGrant:
        """A user's own grant on one resource."""
        check_id(user_id, "user id")
        rtype, rid, _, ws = check_user_grant(resource_type, resource_id, Permission.USE, workspace)
        query = sa.select(user_grants).where(_key(user_id, rtype, rid, ws))
        row = self._db.read(lambda conn: conn.execute(query).first())
        if row is None:
            raise _not_found(user_id, rtype, rid, ws)
        return _grant_from_row(row)

    def list_grants(
        self,
        *,
        user_id: int | None = None,
        resource_type: ResourceType | str | None = None,
        resource_id: str | None = None,
        workspace: str | None = None,
    ) -> list[UserGrant]:
        """User grants matching every given filter, by workspace, type, id and user."""
        ug = user_grants
        query = sa.select(ug).order_by(
            ug.c.workspace, ug.c.resource_type, ug.c.resource_id, ug.c.user_id
        )
        if user_id is not None:
            query = query.where(ug.c.user_id == check_id(user_id, "user id"))
        if resource_type is not None:
            query = query.where(ug.c.resource_type == ResourceType.parse(resource_type).value)
        if resource_id is not None:
            query = query.where(ug.c.resource_id == str(resource_id))
        if workspace is not None:
            query = query.where(ug.c.workspace == validate_workspace_name(workspace))
        rows = self._db.read(lambda conn: conn.execute(query).all())
        return [_grant_from_row(r) for r in rows]

    def delete_resource_grants(
        self,
        resource_type: ResourceType | str,
        resource_id: str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> int:
        """Delete the users' and roles' grants on one resource of one workspace."""
        rtype = ResourceType.parse(resource_type)
        ws = validate_workspace_name(workspace)
        rid = str(resource_id)

        def op(conn: Connection) -> int:
            gone = conn.execute(
                user_grants.delete().where(
                    user_grants.c.workspace == ws,
                    user_grants.c.resource_type == rtype.value,
                    user_grants.c.resource_id == rid,
                )
            ).rowcount
            ids = _role_grant_ids(conn, rtype, rid, ws)
            if ids:
                conn.execute(role_grants.delete().where(role_grants.c.id.in_(ids)))
            return int(gone or 0) + len(ids)

        return self._db.write(op)

    def rename_resource_grants(
        self,
        resource_type: ResourceType | str,
        resource_id: str,
        new_id: str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> int:
        """Move the users' and roles' grants from ``resource_id`` to ``new_id``."""
        rtype = ResourceType.parse(resource_type)
        ws = validate_workspace_name(workspace)
        old, new = str(resource_id), str(new_id)
        ug, rg = user_grants, role_grants
        if old == new:
            return 0

        def on(rid: str) -> list[sa.ColumnElement[bool]]:
            return [
                ug.c.workspace == ws,
                ug.c.resource_type == rtype.value,
                ug.c.resource_id == rid,
            ]

        def op(conn: Connection) -> int:
            conn.execute(ug.delete().where(*on(new)))
            moved = conn.execute(ug.update().where(*on(old)).values(resource_id=new)).rowcount
            clashing = _role_grant_ids(conn, rtype, new, ws)
            if clashing:
                conn.execute(rg.delete().where(rg.c.id.in_(clashing)))
            ids = _role_grant_ids(conn, rtype, old, ws)
            if ids:
                conn.execute(rg.update().where(rg.c.id.in_(ids)).values(resource_pattern=new))
            return int(moved or 0) + len(ids)

        return self._db.write(op)

    def grants_for(
        self,
        user_id: int,
        resource_type: ResourceType | str,
        resource_id: str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> GrantSet:
        """Every grant bearing on one resource for one user, in one query."""
        check_id(user_id, "user id")
        rtype = ResourceType.parse(resource_type)
        ws = validate_workspace_name(workspace)
        rid = str(resource_id)
        on_workspace = rtype is ResourceType.WORKSPACE
        mark = "?" if self._db.is_sqlite else "%s"
        sql = _GRANTS_SQL.get((mark, on_workspace))
        if sql is None:
            sql = _GRANTS_SQL.setdefault((mark, on_workspace), _grants_sql(mark, on_workspace))
        params = [] if on_workspace else [user_id, ws, rtype.value, rid]
        params += [user_id, ws, ws, user_id, ws, rtype.value, rid]
        rows = self._db.read_rows(sql, params)
        own: Permission | None = None
        by_role: list[Permission] = []
        in_ws: list[Permission] = []
        for source, level in rows:
            permission = Permission(level)
            if source == "u":
                own = permission
            elif source == "r":
                by_role.append(permission)
            else:
                in_ws.append(permission)
        return GrantSet(user=own, roles=tuple(by_role), workspace=tuple(in_ws))
