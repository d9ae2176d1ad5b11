"""Roles, their grants and who holds them, in the SQL auth store."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea.entities.auth import (
    DEFAULT_WORKSPACE,
    Permission,
    ResourceType,
    Role,
    RoleAssignment,
    RoleGrant,
    check_role_grant,
    validate_role_name,
    validate_workspace_name,
)
from ardea.store.sql._db.engine import Database
from ardea.store.sql.auth.common import (
    check_id,
    inserted_id,
    is_unique_violation,
    role_grant_from_row,
)
from ardea.store.sql.auth.tables import role_grants, roles, user_roles
from ardea.store.sql.auth.users import load_user

__all__ = ["SqlRoles", "role_from_row"]

_DESCRIPTION_MAX = 5000


def role_from_row(row: Any) -> Role:
    """A :class:`Role` from a row of ``auth_roles``."""
    return Role(id=row.id, name=row.name, workspace=row.workspace, description=row.description)


def _load_role(conn: Connection, role_id: int) -> Role:
    row = conn.execute(sa.select(roles).where(roles.c.id == role_id)).first()
    if row is None:
        raise NotFoundError(f"Role {role_id} not found")
    return role_from_row(row)


def _load_grant(conn: Connection, grant_id: int) -> RoleGrant:
    row = conn.execute(sa.select(role_grants).where(role_grants.c.id == grant_id)).first()
    if row is None:
        raise NotFoundError(f"Role permission {grant_id} not found")
    return role_grant_from_row(row)


def _description(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > _DESCRIPTION_MAX or "\x00" in value:
        raise InvalidArgumentError("Invalid role description: at most 5000 characters.")
    return value


def _exists(name: str, workspace: str) -> AlreadyExistsError:
    return AlreadyExistsError(f"Role {name!r} already exists in workspace {workspace!r}")


class SqlRoles:
    """Roles: CRUD, grants by resource pattern, assignments to users."""

    _db: Database

    def create_role(
        self, name: str, workspace: str = DEFAULT_WORKSPACE, description: str | None = None
    ) -> Role:
        """Create a role (unique name per workspace)."""
        validate_role_name(name)
        validate_workspace_name(workspace)
        desc = _description(description)
        now = now_ms()

        def op(conn: Connection) -> Role:
            try:
                with conn.begin_nested():
                    result = conn.execute(
                        roles.insert().values(
                            name=name, workspace=workspace, description=desc, created=now
                        )
                    )
            except sa.exc.IntegrityError as exc:
                if is_unique_violation(exc):
                    raise _exists(name, workspace) from None
                raise
            role_id = inserted_id(result)
            return _load_role(conn, role_id)

        return self._db.write(op)

    def get_role(self, role_id: int) -> Role:
        """One role."""
        check_id(role_id, "role id")
        return self._db.read(lambda conn: _load_role(conn, role_id))

    def list_roles(self, workspace: str | None = None) -> list[Role]:
        """Roles by workspace and name."""
        query = sa.select(roles).order_by(roles.c.workspace, roles.c.name)
        if workspace is not None:
            query = query.where(roles.c.workspace == validate_workspace_name(workspace))
        rows = self._db.read(lambda conn: conn.execute(query).all())
        return [role_from_row(r) for r in rows]

    def update_role(
        self, role_id: int, *, name: str | None = None, description: str | None = None
    ) -> Role:
        """Rename a role or change its description."""
        check_id(role_id, "role id")
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = validate_role_name(name)
        if description is not None:
            values["description"] = _description(description)

        def op(conn: Connection) -> Role:
            role = _load_role(conn, role_id)
            if not values:
                return role
            try:
                with conn.begin_nested():
                    conn.execute(roles.update().where(roles.c.id == role_id).values(**values))
            except sa.exc.IntegrityError as exc:
                if is_unique_violation(exc):
                    raise _exists(str(name), role.workspace) from None
                raise
            return _load_role(conn, role_id)

        return self._db.write(op)

    def delete_role(self, role_id: int) -> None:
        """Delete a role; its grants and assignments go with it (``ON DELETE CASCADE``)."""
        check_id(role_id, "role id")

        def op(conn: Connection) -> None:
            _load_role(conn, role_id)
            conn.execute(roles.delete().where(roles.c.id == role_id))

        self._db.write(op)

    # -- grants --------------------------------------------------------------------------------

    def add_role_grant(
        self,
        role_id: int,
        resource_type: ResourceType | str,
        resource_pattern: str,
        permission: Permission | str,
    ) -> RoleGrant:
        """Add a grant to a role."""
        check_id(role_id, "role id")
        rtype, pattern, level = check_role_grant(resource_type, resource_pattern, permission)

        def op(conn: Connection) -> RoleGrant:
            _load_role(conn, role_id)
            try:
                with conn.begin_nested():
                    result = conn.execute(
                        role_grants.insert().values(
                            role_id=role_id,
                            resource_type=rtype.value,
                            resource_pattern=pattern,
                            permission=level.value,
                        )
                    )
            except sa.exc.IntegrityError as exc:
                if is_unique_violation(exc):
                    raise AlreadyExistsError(
                        f"Role {role_id} already has a permission on {rtype.value} {pattern!r}"
                    ) from None
                raise
            grant_id = inserted_id(result)
            return _load_grant(conn, grant_id)

        return self._db.write(op)

    def get_role_grant(self, grant_id: int) -> RoleGrant:
        """One role grant."""
        check_id(grant_id, "role permission id")
        return self._db.read(lambda conn: _load_grant(conn, grant_id))

    def update_role_grant(self, grant_id: int, permission: Permission | str) -> RoleGrant:
        """Change a role grant's level (checked against its resource type)."""
        check_id(grant_id, "role permission id")
        level = Permission.parse(permission)

        def op(conn: Connection) -> RoleGrant:
            grant = _load_grant(conn, grant_id)
            check_role_grant(grant.resource_type, grant.resource_pattern, level)
            conn.execute(
                role_grants.update()
                .where(role_grants.c.id == grant_id)
                .values(permission=level.value)
            )
            return _load_grant(conn, grant_id)

        return self._db.write(op)

    def remove_role_grant(self, grant_id: int) -> None:
        """Remove a role grant."""
        check_id(grant_id, "role permission id")

        def op(conn: Connection) -> None:
            _load_grant(conn, grant_id)
            conn.execute(role_grants.delete().where(role_grants.c.id == grant_id))

        self._db.write(op)

    def list_role_grants(self, role_id: int) -> list[RoleGrant]:
        """A role's grants in the order they were added."""
        check_id(role_id, "role id")

        def op(conn: Connection) -> list[RoleGrant]:
            _load_role(conn, role_id)
            rows = conn.execute(
                sa.select(role_grants)
                .where(role_grants.c.role_id == role_id)
                .order_by(role_grants.c.id)
            ).all()
            return [role_grant_from_row(r) for r in rows]

        return self._db.read(op)

    # -- assignments ---------------------------------------------------------------------------

    def assign_role(self, user_id: int, role_id: int) -> RoleAssignment:
        """Give a user a role."""
        check_id(user_id, "user id")
        check_id(role_id, "role id")
        now = now_ms()

        def op(conn: Connection) -> RoleAssignment:
            load_user(conn, user_id)
            _load_role(conn, role_id)
            try:
                with conn.begin_nested():
                    result = conn.execute(
                        user_roles.insert().values(user_id=user_id, role_id=role_id, created=now)
                    )
            except sa.exc.IntegrityError as exc:
                if is_unique_violation(exc):
                    raise AlreadyExistsError(f"User {user_id} already has role {role_id}") from None
                raise
            assignment_id = inserted_id(result)
            return RoleAssignment(assignment_id, user_id, role_id)

        return self._db.write(op)

    def unassign_role(self, user_id: int, role_id: int) -> None:
        """Take a role from a user."""
        check_id(user_id, "user id")
        check_id(role_id, "role id")
        stmt = user_roles.delete().where(
            user_roles.c.user_id == user_id, user_roles.c.role_id == role_id
        )

        def op(conn: Connection) -> None:
            if conn.execute(stmt).rowcount == 0:
                raise NotFoundError(f"User {user_id} does not have role {role_id}")

        self._db.write(op)

    def list_user_roles(self, user_id: int) -> list[Role]:
        """The roles a user holds, by workspace and name."""
        check_id(user_id, "user id")

        def op(conn: Connection) -> list[Role]:
            load_user(conn, user_id)
            rows = conn.execute(
                sa.select(roles)
                .join(user_roles, user_roles.c.role_id == roles.c.id)
                .where(user_roles.c.user_id == user_id)
                .order_by(roles.c.workspace, roles.c.name)
            ).all()
            return [role_from_row(r) for r in rows]

        return self._db.read(op)

    def list_role_assignments(self, role_id: int) -> list[RoleAssignment]:
        """Who holds a role, in the order they got it."""
        check_id(role_id, "role id")

        def op(conn: Connection) -> list[RoleAssignment]:
            _load_role(conn, role_id)
            rows = conn.execute(
                sa.select(user_roles.c.id, user_roles.c.user_id, user_roles.c.role_id)
                .where(user_roles.c.role_id == role_id)
                .order_by(user_roles.c.id)
            ).all()
            return [RoleAssignment(r.id, r.user_id, r.role_id) for r in rows]

        return self._db.read(op)
