"""Specs of MLflow's auth requests: users, roles, role permissions, per-user grants.

Users are ``/api/2.0/mlflow/users/...``; the 3.x RBAC routes are ``/api/3.0/mlflow/roles/...``
and ``users/permissions/...``, as the ``basic-auth`` app client of mlflow 3.17 and 3.18 sends
them. Pure: no web framework.
"""

from __future__ import annotations

from ardea.api.request_parsing import Field, RequestSpec

__all__ = [
    "ADD_ROLE_PERMISSION",
    "CREATE_ROLE",
    "CREATE_USER",
    "ROLE_ASSIGNMENT",
    "ROLE_ID",
    "ROLE_PERMISSION_ID",
    "UPDATE_ROLE",
    "UPDATE_ROLE_PERMISSION",
    "UPDATE_USER_ADMIN",
    "UPDATE_USER_PASSWORD",
    "USERNAME",
    "USER_PERMISSION",
    "USER_RESOURCE",
    "WORKSPACES",
]

_S, _SR = Field("string"), Field("string", required=True)
_IR = Field("int64", required=True)

CREATE_USER = RequestSpec("CreateUser", {"username": _S, "password": _S}, {})
"""``POST users/create``: a new user and its password (both needed, checked by the handler)."""
USERNAME = RequestSpec("GetUser", {"username": _SR}, {})
"""``users/get``, ``users/delete``, ``users/roles/list``, ``users/permissions/list``."""
UPDATE_USER_PASSWORD = RequestSpec(
    "UpdateUserPassword", {"username": _SR, "password": _SR, "current_password": _S}, {}
)
"""``PATCH users/update-password``; ``current_password`` is needed to change one's own."""
UPDATE_USER_ADMIN = RequestSpec(
    "UpdateUserAdmin", {"username": _SR, "is_admin": Field("bool", required=True)}, {}
)
"""``PATCH users/update-admin``."""
USER_PERMISSION = RequestSpec(
    "GrantUserPermission",
    {"username": _SR, "resource_type": _SR, "resource_id": _SR, "permission": _SR},
    {},
)
"""``POST users/permissions/grant``: one user's level on one resource of the workspace."""
USER_RESOURCE = RequestSpec(
    "UserResourcePermission",
    {"username": _SR, "resource_type": _SR, "resource_id": _SR},
    {},
)
"""``POST users/permissions/revoke`` and ``GET users/permissions/get``."""
CREATE_ROLE = RequestSpec("CreateRole", {"workspace": _S, "name": _S, "description": _S}, {})
"""``POST roles/create``."""
ROLE_ID = RequestSpec("RoleId", {"role_id": _IR}, {})
"""``roles/get``, ``roles/delete``, ``roles/permissions/list``, ``roles/users/list``."""
WORKSPACES = RequestSpec("ListRoles", {"workspace": Field("string", repeated=True)}, {})
"""``GET roles/list``: the workspaces to list (none: every workspace, admins only)."""
UPDATE_ROLE = RequestSpec("UpdateRole", {"role_id": _IR, "name": _S, "description": _S}, {})
"""``PATCH roles/update``: at least one of the name and the description."""
ADD_ROLE_PERMISSION = RequestSpec(
    "AddRolePermission",
    {"role_id": _IR, "resource_type": _SR, "resource_pattern": _SR, "permission": _SR},
    {},
)
"""``POST roles/permissions/add``."""
ROLE_PERMISSION_ID = RequestSpec("RemoveRolePermission", {"role_permission_id": _IR}, {})
"""``DELETE roles/permissions/remove``."""
UPDATE_ROLE_PERMISSION = RequestSpec(
    "UpdateRolePermission", {"role_permission_id": _IR, "permission": _SR}, {}
)
"""``PATCH roles/permissions/update``."""
ROLE_ASSIGNMENT = RequestSpec("AssignRole", {"username": _SR, "role_id": _IR}, {})
"""``POST roles/assign`` and ``DELETE roles/unassign``."""
