"""Who may do what: a caller's level on a resource, whether it may create, what it may see.

The rules (docs/auth.md, "How a level is decided"), for a user, a resource of a type and id,
in a workspace:

1. An admin may do everything (MANAGE), everywhere.
2. A workspace admin (a ``workspace`` grant of MANAGE in that workspace, the user's own or a
   role's) may do everything in it.
3. Otherwise the grants on the resource decide, when there are any: the user's own grant on
   it and its roles' grants on its id or ``*``. Any DENY wins; else the highest level
   (a user's own NO_PERMISSIONS shuts it out unless a role grants more).
4. With no grant on the resource, a *member* of the workspace gets the workspace's default
   permission (the workspace's own, else the server's, READ unless configured); anyone else
   gets NO_PERMISSIONS. Everyone is a member of ``default`` (and of everything, on a server
   without workspaces); in another workspace a member holds a ``workspace`` grant (USE).

Creating a top-level resource (an experiment, a registered model or prompt) needs
membership of the workspace and no DENY on every resource of that type (a role's ``*``
DENY). A webhook is created by workspace admins only: it receives every registry event of
its workspace, models its creator may not read included (MLflow keeps webhooks to admins);
so are the gateway's secrets, model definitions and endpoints (:data:`ADMIN_CREATED`).

Searches ask :meth:`Policy.visibility` once per request and hand the answer to the store,
which filters in SQL (:mod:`ardea.store.visibility`), so pagination stays correct.

:class:`Decisions` caches what one request already asked. Across requests, the grants that
bear on a (user, resource) are kept for :data:`GRANTS_CACHE_TTL_S` seconds while the auth
store's :attr:`~ardea.store.auth.AuthStore.generation` is unchanged: any change made through
this process (a grant, a role, a user) counts at once; one made by another replica counts
within the TTL, as a revoked token does (:mod:`ardea.server.auth_runtime`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ardea.entities.auth import (
    DEFAULT_WORKSPACE,
    WILDCARD,
    GrantSet,
    Permission,
    ResourceType,
    User,
)
from ardea.store.auth import AuthStore
from ardea.store.visibility import Visibility, VisibilityMode

__all__ = [
    "ADMIN_CREATED",
    "GRANTS_CACHE_TTL_S",
    "SERVER_DEFAULT_PERMISSION",
    "Decisions",
    "Policy",
]

GRANTS_CACHE_TTL_S = 5.0
"""How long a (user, resource) lookup of grants is reused while nothing changed here."""
_GRANTS_CACHE_MAX = 20_000

ADMIN_CREATED = frozenset(
    {
        ResourceType.WEBHOOK,
        ResourceType.GATEWAY_SECRET,
        ResourceType.GATEWAY_ENDPOINT,
        ResourceType.GATEWAY_MODEL_DEFINITION,
    }
)
"""Types only workspace admins create: webhooks (they see every registry event) and the
gateway's secrets, model definitions and endpoints (they spend the workspace's credentials)."""

SERVER_DEFAULT_PERMISSION = Permission.READ
"""What a member without a grant may do when neither the workspace nor the server says."""

WorkspaceDefault = Callable[[str], "Permission | None"]


@dataclass(eq=False)
class Decisions:
    """What one request already asked the policy (never shared between requests)."""

    grants: dict[tuple[str, str, str], GrantSet] = field(default_factory=dict)
    defaults: dict[str, Permission | None] = field(default_factory=dict)


class Policy:
    """Resolves levels from an :class:`~ardea.store.auth.AuthStore` (one query per decision).

    Args:
        store: Users, roles and grants.
        workspaces_enabled: Whether the server runs with workspaces (else every resource is
            in ``default`` and everyone is a member).
        default_permission: The server's default for members without a grant.
        workspace_default: A workspace's own default permission (None: the server's).
    """

    def __init__(
        self,
        store: AuthStore,
        *,
        workspaces_enabled: bool = False,
        default_permission: Permission = SERVER_DEFAULT_PERMISSION,
        workspace_default: WorkspaceDefault | None = None,
    ) -> None:
        self.store = store
        self.workspaces_enabled = workspaces_enabled
        self.default_permission = default_permission
        self._workspace_default = workspace_default
        self._cache: dict[tuple[int, str, str, str], tuple[int, float, GrantSet]] = {}

    def forget(self) -> None:
        """Drop every cached lookup (a workspace deleted with its grants, outside the store)."""
        self._cache.clear()

    # -- the pieces ----------------------------------------------------------------------------

    def _grants(
        self, user: User, rtype: ResourceType, rid: str, workspace: str, memo: Decisions | None
    ) -> GrantSet:
        key = (rtype.value, rid, workspace)
        if memo is not None and key in memo.grants:
            return memo.grants[key]
        generation, now = self.store.generation, time.monotonic()
        shared = (user.id, *key)
        cached = self._cache.get(shared)
        if cached is not None and cached[0] == generation and cached[1] > now:
            found = cached[2]
        else:
            found = self.store.grants_for(user.id, rtype, rid, workspace)
            if len(self._cache) >= _GRANTS_CACHE_MAX:
                self._cache.clear()
            self._cache[shared] = (generation, now + GRANTS_CACHE_TTL_S, found)
        if memo is not None:
            memo.grants[key] = found
        return found

    def default_for(self, workspace: str, memo: Decisions | None = None) -> Permission:
        """The default permission of ``workspace`` (its own, else the server's)."""
        if memo is not None and workspace in memo.defaults:
            own = memo.defaults[workspace]
        else:
            own = self._workspace_default(workspace) if self._workspace_default else None
            if memo is not None:
                memo.defaults[workspace] = own
        return own if own is not None else self.default_permission

    def is_member(self, grants: GrantSet, workspace: str) -> bool:
        """Whether the holder of ``grants`` belongs to ``workspace`` (see the module docstring)."""
        if not self.workspaces_enabled or workspace == DEFAULT_WORKSPACE:
            return True
        level = grants.workspace_level
        return level is not None and level.can_use

    @staticmethod
    def _workspace_admin(grants: GrantSet) -> bool:
        return grants.workspace_level is Permission.MANAGE

    # -- decisions -----------------------------------------------------------------------------

    def level(
        self,
        user: User,
        resource_type: ResourceType,
        resource_id: str,
        workspace: str = DEFAULT_WORKSPACE,
        memo: Decisions | None = None,
    ) -> Permission:
        """The level ``user`` has on one resource of ``workspace`` (rules 1-4)."""
        if user.is_admin:
            return Permission.MANAGE
        grants = self._grants(user, resource_type, resource_id, workspace, memo)
        if self._workspace_admin(grants):
            return Permission.MANAGE
        granted = grants.resource_level
        if granted is not None:
            return granted
        if self.is_member(grants, workspace):
            return self.default_for(workspace, memo)
        return Permission.NO_PERMISSIONS

    def can(
        self,
        user: User,
        needed: Permission,
        resource_type: ResourceType,
        resource_id: str,
        workspace: str = DEFAULT_WORKSPACE,
        memo: Decisions | None = None,
    ) -> bool:
        """Whether ``user``'s level on the resource grants ``needed``.

        The gateway's request path asks ``can(user, USE, GATEWAY_ENDPOINT, endpoint_id, ws)``:
        calling an endpoint needs USE on it (a member's default READ is not enough).
        """
        return self.level(user, resource_type, resource_id, workspace, memo).allows(needed)

    def can_create(
        self,
        user: User,
        resource_type: ResourceType,
        workspace: str = DEFAULT_WORKSPACE,
        memo: Decisions | None = None,
    ) -> bool:
        """Whether ``user`` may create a resource of ``resource_type`` in ``workspace``."""
        if user.is_admin:
            return True
        grants = self._grants(user, resource_type, WILDCARD, workspace, memo)
        if self._workspace_admin(grants):
            return True
        if resource_type in ADMIN_CREATED:
            return False
        return self.is_member(grants, workspace) and Permission.DENY not in grants.roles

    def is_workspace_admin(
        self, user: User, workspace: str = DEFAULT_WORKSPACE, memo: Decisions | None = None
    ) -> bool:
        """Whether ``user`` is an admin, or holds MANAGE on ``workspace`` itself."""
        if user.is_admin:
            return True
        grants = self._grants(user, ResourceType.WORKSPACE, workspace, workspace, memo)
        return self._workspace_admin(grants)

    def is_workspace_member(
        self, user: User, workspace: str = DEFAULT_WORKSPACE, memo: Decisions | None = None
    ) -> bool:
        """Whether ``user`` is an admin or a member of ``workspace``."""
        if user.is_admin:
            return True
        grants = self._grants(user, ResourceType.WORKSPACE, workspace, workspace, memo)
        return self.is_member(grants, workspace)

    def visibility(
        self,
        user: User,
        resource_types: Iterable[ResourceType],
        workspace: str = DEFAULT_WORKSPACE,
        memo: Decisions | None = None,
    ) -> Visibility | None:
        """What ``user`` may read of each type in ``workspace``, for a store's search.

        None when it may read everything (an admin, a workspace admin): no filter at all.
        Otherwise one :class:`~ardea.store.visibility.VisibilityMode` per type, from the
        user's ``*`` role grants and membership; the store adds the per-resource grants in SQL.
        """
        if user.is_admin:
            return None
        modes: dict[str, VisibilityMode] = {}
        for rtype in resource_types:
            grants = self._grants(user, rtype, WILDCARD, workspace, memo)
            if self._workspace_admin(grants):
                return None
            wildcard = grants.resource_level  # roles' "*" grants only: a user grant is never "*"
            if wildcard is Permission.DENY:
                modes[rtype.value] = VisibilityMode.NOTHING
            elif wildcard is not None and wildcard.can_read:
                modes[rtype.value] = VisibilityMode.ALL_BUT_DENIED
            elif self.is_member(grants, workspace) and self.default_for(workspace, memo).can_read:
                modes[rtype.value] = VisibilityMode.DEFAULT
            else:
                modes[rtype.value] = VisibilityMode.GRANTED_ONLY
        return Visibility.of(user.id, workspace, modes)
