"""Users, roles and grants as MLflow 3.18's auth routes write them.

The ``to_json`` shapes of ``mlflow.server.auth.entities``. Pure: no web framework, no
database.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ardea.entities.auth import Role, RoleAssignment, RoleGrant, User, UserGrant

__all__ = [
    "DIRECT_ROLE_ID",
    "assignment_to_json",
    "direct_role_name",
    "grant_row",
    "role_grant_to_json",
    "role_grant_row",
    "role_to_json",
    "user_to_json",
]

DIRECT_ROLE_ID = 0
"""The ``role_id`` of a user's own grants in permission listings (they belong to no role)."""


def direct_role_name(user_id: int) -> str:
    """The ``role_name`` of a user's own grants: MLflow's synthetic ``__user_<id>__``."""
    return f"__user_{user_id}__"


def user_to_json(user: User) -> dict[str, Any]:
    """``{id, username, is_admin}``."""
    return {"id": user.id, "username": user.username, "is_admin": user.is_admin}


def role_grant_to_json(grant: RoleGrant) -> dict[str, Any]:
    """``{id, role_id, resource_type, resource_pattern, permission}``."""
    return {
        "id": grant.id,
        "role_id": grant.role_id,
        "resource_type": grant.resource_type.value,
        "resource_pattern": grant.resource_pattern,
        "permission": grant.permission.value,
    }


def role_to_json(role: Role, grants: Iterable[RoleGrant]) -> dict[str, Any]:
    """``{id, name, workspace, description, permissions}``."""
    return {
        "id": role.id,
        "name": role.name,
        "workspace": role.workspace,
        "description": role.description,
        "permissions": [role_grant_to_json(g) for g in grants],
    }


def assignment_to_json(assignment: RoleAssignment) -> dict[str, Any]:
    """``{id, user_id, role_id}``."""
    return {"id": assignment.id, "user_id": assignment.user_id, "role_id": assignment.role_id}


def role_grant_row(role: Role, grant: RoleGrant) -> dict[str, Any]:
    """One row of a user's permission listing, for a grant it holds through ``role``."""
    return {
        "role_id": role.id,
        "role_name": role.name,
        "workspace": role.workspace,
        "resource_type": grant.resource_type.value,
        "resource_pattern": grant.resource_pattern,
        "permission": grant.permission.value,
    }


def grant_row(grant: UserGrant) -> dict[str, Any]:
    """One row of a user's permission listing, for a grant of its own."""
    return {
        "role_id": DIRECT_ROLE_ID,
        "role_name": direct_role_name(grant.user_id),
        "workspace": grant.workspace,
        "resource_type": grant.resource_type.value,
        "resource_pattern": grant.resource_id,
        "permission": grant.permission.value,
    }
