"""Answers of MLflow's auth routes: users, roles, role permissions, per-user grants.

The shapes are mlflow 3.18's ``basic-auth`` app (``mlflow/server/auth``), which its
``AuthServiceClient`` (``mlflow.server.get_app_client("basic-auth", ...)``) reads.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "AssignmentResponse",
    "CurrentUserResponse",
    "ListAssignmentsResponse",
    "ListRolePermissionsResponse",
    "ListRolesResponse",
    "ListUsersResponse",
    "MlflowRole",
    "MlflowRolePermission",
    "MlflowUser",
    "RoleAssignment",
    "RolePermissionResponse",
    "RoleResponse",
    "UserPermissionResult",
    "UserPermissionRow",
    "UserPermissionsResponse",
    "UserResponse",
    "UserWithRoles",
]


class MlflowUser(TypedDict):
    """A user (never its password hash)."""

    id: Int64
    username: str
    is_admin: bool


class UserResponse(TypedDict):
    """``users/create`` and ``users/get``."""

    user: MlflowUser


class CurrentUserResponse(TypedDict):
    """``users/current``: who the credentials belong to."""

    user: MlflowUser
    is_basic_auth: bool


class MlflowRolePermission(TypedDict):
    """A role's grant: ``permission`` on resources of a type matching a pattern."""

    id: Int64
    role_id: Int64
    resource_type: str
    resource_pattern: str
    permission: str


class MlflowRole(TypedDict):
    """A role of one workspace, with its grants."""

    id: Int64
    name: str
    workspace: str
    description: str | None
    permissions: list[MlflowRolePermission]


class UserWithRoles(TypedDict):
    """A user and the roles the caller may see of it."""

    id: Int64
    username: str
    is_admin: bool
    roles: list[MlflowRole]


class ListUsersResponse(TypedDict):
    """``users/list``."""

    users: list[UserWithRoles]


class RoleResponse(TypedDict):
    """``roles/create``, ``roles/get``, ``roles/update``."""

    role: MlflowRole


class ListRolesResponse(TypedDict):
    """``roles/list`` and ``users/roles/list``."""

    roles: list[MlflowRole]


class RolePermissionResponse(TypedDict):
    """``roles/permissions/add`` and ``roles/permissions/update``."""

    role_permission: MlflowRolePermission


class ListRolePermissionsResponse(TypedDict):
    """``roles/permissions/list``."""

    role_permissions: list[MlflowRolePermission]


class RoleAssignment(TypedDict):
    """A user holding a role."""

    id: Int64
    user_id: Int64
    role_id: Int64


class AssignmentResponse(TypedDict):
    """``roles/assign``."""

    assignment: RoleAssignment


class ListAssignmentsResponse(TypedDict):
    """``roles/users/list``."""

    assignments: list[RoleAssignment]


class UserPermissionRow(TypedDict):
    """One grant a user holds, through a role or its own.

    A grant of its own has ``role_id`` 0 and ``role_name`` ``__user_<id>__`` (as MLflow names
    the synthetic role of its per-user grants).
    """

    role_id: Int64
    role_name: str
    workspace: str
    resource_type: str
    resource_pattern: str
    permission: str


class UserPermissionsResponse(TypedDict):
    """``users/current/permissions`` and ``users/permissions/list``."""

    is_admin: bool
    permissions: list[UserPermissionRow]


class UserPermissionResult(TypedDict):
    """``users/permissions/get``: the level that applies, and whether it allows use."""

    allowed: bool
    permission: str
