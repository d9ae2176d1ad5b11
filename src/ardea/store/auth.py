"""The auth store contract: users, tokens, sessions, roles, grants and the audit log.

Backend: ``store.sql.auth.SqlAuthStore``, on the tracking database (one migration adds its
tables). There is no REST auth store: a :class:`~ardea.store.backend.Backend` opened on a
server URL has ``auth = None``, and :meth:`Backend.require_auth
<ardea.store.backend.Backend.require_auth>` says to run against the database instead (the
``ardea users`` and ``ardea tokens`` commands do that). A server speaks MLflow's user and
permission endpoints on top of this contract.

The store keeps data and invariants; policy lives in :mod:`ardea.auth` (hashing, token
formats, expiry, rate limits, resolving a caller's level). It never sees a plaintext
password or token: it stores what :mod:`ardea.auth` hands it (an argon2 hash, a SHA-256).

Conventions (as :mod:`ardea.store.webhooks`): ``get_*`` raises
:class:`~ardea._core.errors.NotFoundError`; bad input
:class:`~ardea._core.errors.InvalidArgumentError` and stores nothing; a duplicate
:class:`~ardea._core.errors.AlreadyExistsError`; times are epoch milliseconds. Roles and
grants name their workspace as a string (``default`` unless given).

Invariants kept inside the store's transactions:

- There is always an enabled admin once there was one: demoting, disabling or deleting the
  last one raises :class:`~ardea._core.errors.FailedPreconditionError`.
- Deleting a user deletes its tokens, sessions, grants and role assignments; deleting a
  role its grants and assignments. Audit rows keep the actor's name and stay.
- Disabling a user ends its sessions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ardea.entities import PagedList
from ardea.entities.auth import (
    DEFAULT_WORKSPACE,
    USER_KIND,
    AuditEvent,
    GrantSet,
    Permission,
    ResourceType,
    Role,
    RoleAssignment,
    RoleGrant,
    Session,
    TokenInfo,
    User,
    UserGrant,
)

__all__ = [
    "AUDIT_MAX_RESULTS_DEFAULT",
    "AUDIT_MAX_RESULTS_LIMIT",
    "USERS_MAX_RESULTS_DEFAULT",
    "USERS_MAX_RESULTS_LIMIT",
    "AuthStore",
    "LoginRecord",
    "TokenRecord",
]

USERS_MAX_RESULTS_DEFAULT = 100
USERS_MAX_RESULTS_LIMIT = 1000
AUDIT_MAX_RESULTS_DEFAULT = 100
AUDIT_MAX_RESULTS_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class LoginRecord:
    """A user with its password hash, for checking a password (server-side only).

    ``password_hash`` is None for service accounts and users created without a password.
    """

    user: User
    password_hash: str | None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A token's public part, the SHA-256 of its secret, and its user: one lookup's answer."""

    info: TokenInfo
    secret_hash: str
    user: User


class AuthStore(ABC):
    """Users, tokens, sessions, roles, grants and audit events in one database."""

    # -- users ---------------------------------------------------------------------------------

    @abstractmethod
    def create_user(
        self,
        username: str,
        password_hash: str | None,
        *,
        is_admin: bool = False,
        kind: str = USER_KIND,
    ) -> User:
        """Create a user (``kind="service"``: a service account, which takes no password).

        Raises:
            AlreadyExistsError: The username is taken.
            InvalidArgumentError: A bad username or kind, or a service account with a hash.
        """

    @abstractmethod
    def get_user(self, user_id: int) -> User:
        """One user by id (a :class:`~ardea.entities.auth.ServiceAccount` for one)."""

    @abstractmethod
    def get_user_by_username(self, username: str) -> User:
        """One user by name."""

    @abstractmethod
    def get_login(self, username: str) -> LoginRecord | None:
        """The user and its password hash, or None when there is no such user."""

    @abstractmethod
    def list_users(
        self,
        max_results: int = USERS_MAX_RESULTS_DEFAULT,
        page_token: str | None = None,
        *,
        kind: str | None = None,
    ) -> PagedList[User]:
        """Users by name (1..1000 a page); ``kind`` keeps only users or service accounts."""

    @abstractmethod
    def has_admin(self) -> bool:
        """True when an enabled admin exists (the first-admin bootstrap asks)."""

    @abstractmethod
    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash (service accounts refuse)."""

    @abstractmethod
    def set_admin(self, user_id: int, is_admin: bool) -> User:
        """Make a user an admin or not (never the last enabled admin: FailedPrecondition)."""

    @abstractmethod
    def set_disabled(self, user_id: int, disabled: bool) -> User:
        """Disable (ending its sessions) or enable a user; never the last enabled admin."""

    @abstractmethod
    def delete_user(self, user_id: int) -> None:
        """Delete a user and its tokens, sessions, grants and role assignments."""

    # -- tokens --------------------------------------------------------------------------------

    @abstractmethod
    def create_token(
        self,
        user_id: int,
        name: str,
        *,
        kind: str,
        prefix: str,
        secret_hash: str,
        expires: int | None,
        created: int | None = None,
    ) -> TokenInfo:
        """Store a token's public part and the SHA-256 of its secret (``created``: now).

        Raises:
            AlreadyExistsError: The prefix is taken (the caller draws another).
            NotFoundError: No such user.
        """

    @abstractmethod
    def lookup_token(self, prefix: str) -> TokenRecord | None:
        """The token with this prefix, its secret's hash and its user, in one query."""

    @abstractmethod
    def get_token(self, token_id: int) -> TokenInfo:
        """One token's public part."""

    @abstractmethod
    def list_tokens(
        self, user_id: int | None = None, *, include_revoked: bool = False
    ) -> list[TokenInfo]:
        """Tokens, newest first: one user's, or everyone's (None)."""

    @abstractmethod
    def revoke_token(self, token_id: int, when: int) -> TokenInfo:
        """Revoke a token at ``when`` (a revoked token keeps its first revocation time)."""

    @abstractmethod
    def touch_token(self, token_id: int, when: int, min_interval_ms: int = 60_000) -> bool:
        """Set ``last_used`` to ``when`` unless it is less than ``min_interval_ms`` older.

        Returns whether a row changed: most calls on a busy token change nothing and cost
        one indexed ``UPDATE``.
        """

    # -- sessions ------------------------------------------------------------------------------

    @abstractmethod
    def create_session(
        self,
        id_hash: str,
        user_id: int,
        *,
        expires: int,
        ip: str | None = None,
        user_agent: str | None = None,
        created: int | None = None,
    ) -> Session:
        """Store a new login session under the SHA-256 of its cookie (``created``: now)."""

    @abstractmethod
    def get_session(self, id_hash: str) -> tuple[Session, User] | None:
        """The session and its user, in one query; None when there is none."""

    @abstractmethod
    def touch_session(self, id_hash: str, when: int, min_interval_ms: int = 60_000) -> bool:
        """Set ``last_seen`` to ``when`` unless it is less than ``min_interval_ms`` older."""

    @abstractmethod
    def delete_session(self, id_hash: str) -> bool:
        """Delete one session (log out); whether there was one."""

    @abstractmethod
    def delete_sessions_for_user(self, user_id: int, *, keep: str | None = None) -> int:
        """Delete a user's sessions (all but ``keep``, an ``id_hash``); how many went."""

    @abstractmethod
    def delete_expired_sessions(self, now: int, idle_ms: int) -> int:
        """Delete sessions past their absolute expiry or idle longer than ``idle_ms``."""

    # -- roles ---------------------------------------------------------------------------------

    @abstractmethod
    def create_role(
        self, name: str, workspace: str = DEFAULT_WORKSPACE, description: str | None = None
    ) -> Role:
        """Create a role (names are unique per workspace)."""

    @abstractmethod
    def get_role(self, role_id: int) -> Role:
        """One role."""

    @abstractmethod
    def list_roles(self, workspace: str | None = None) -> list[Role]:
        """Roles by workspace and name: one workspace's, or all (None)."""

    @abstractmethod
    def update_role(
        self, role_id: int, *, name: str | None = None, description: str | None = None
    ) -> Role:
        """Rename a role or change its description (None leaves a field; ``""`` clears it)."""

    @abstractmethod
    def delete_role(self, role_id: int) -> None:
        """Delete a role with its grants and assignments."""

    @abstractmethod
    def add_role_grant(
        self,
        role_id: int,
        resource_type: ResourceType | str,
        resource_pattern: str,
        permission: Permission | str,
    ) -> RoleGrant:
        """Add a grant to a role (one per type and pattern: AlreadyExistsError)."""

    @abstractmethod
    def get_role_grant(self, grant_id: int) -> RoleGrant:
        """One role grant."""

    @abstractmethod
    def update_role_grant(self, grant_id: int, permission: Permission | str) -> RoleGrant:
        """Change a role grant's level."""

    @abstractmethod
    def remove_role_grant(self, grant_id: int) -> None:
        """Remove a role grant."""

    @abstractmethod
    def list_role_grants(self, role_id: int) -> list[RoleGrant]:
        """A role's grants, in the order they were added."""

    @abstractmethod
    def assign_role(self, user_id: int, role_id: int) -> RoleAssignment:
        """Give a user a role (AlreadyExistsError if it has it)."""

    @abstractmethod
    def unassign_role(self, user_id: int, role_id: int) -> None:
        """Take a role from a user (NotFoundError if it does not have it)."""

    @abstractmethod
    def list_user_roles(self, user_id: int) -> list[Role]:
        """The roles a user holds."""

    @abstractmethod
    def list_role_assignments(self, role_id: int) -> list[RoleAssignment]:
        """Who holds a role."""

    # -- user grants ---------------------------------------------------------------------------

    @abstractmethod
    def grant(
        self,
        user_id: int,
        resource_type: ResourceType | str,
        resource_id: str,
        permission: Permission | str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> UserGrant:
        """Give a user a level on one resource, replacing the level it had there."""

    @abstractmethod
    def revoke(
        self,
        user_id: int,
        resource_type: ResourceType | str,
        resource_id: str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> None:
        """Remove a user's grant on one resource (NotFoundError if there is none)."""

    @abstractmethod
    def get_grant(
        self,
        user_id: int,
        resource_type: ResourceType | str,
        resource_id: str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> UserGrant:
        """A user's own grant on one resource (roles not included)."""

    @abstractmethod
    def list_grants(
        self,
        *,
        user_id: int | None = None,
        resource_type: ResourceType | str | None = None,
        resource_id: str | None = None,
        workspace: str | None = None,
    ) -> list[UserGrant]:
        """User grants matching every given filter (who has access to X; what Y may access)."""

    @abstractmethod
    def grants_for(
        self,
        user_id: int,
        resource_type: ResourceType | str,
        resource_id: str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> GrantSet:
        """All of a user's grants that bear on one resource, in ONE query.

        That is: the user's own grant on it, its roles' grants on it (its id or ``*``)
        in that workspace, and the workspace grants (``workspace`` type, directly or by
        role). The policy folds them (:class:`~ardea.entities.auth.GrantSet`).
        """

    @abstractmethod
    def delete_resource_grants(
        self,
        resource_type: ResourceType | str,
        resource_id: str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> int:
        """Delete every grant on one resource: users' grants and roles' grants naming its id.

        Called when the resource is deleted, so that a new resource of the same name does not
        inherit them. Returns how many went.
        """

    @abstractmethod
    def rename_resource_grants(
        self,
        resource_type: ResourceType | str,
        resource_id: str,
        new_id: str,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> int:
        """Move every grant on ``resource_id`` to ``new_id`` (a registered model renamed).

        Grants already on ``new_id`` are replaced. Returns how many moved.
        """

    # -- audit ---------------------------------------------------------------------------------

    @abstractmethod
    def append_audit(
        self,
        actor: str,
        action: str,
        *,
        target: str | None = None,
        detail: Mapping[str, Any] | None = None,
        ip: str | None = None,
        time: int | None = None,
    ) -> AuditEvent:
        """Append one audit event (``time`` defaults to now). Callers scrub secrets first."""

    @abstractmethod
    def list_audit(
        self,
        max_results: int = AUDIT_MAX_RESULTS_DEFAULT,
        page_token: str | None = None,
        *,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: int | None = None,
        until: int | None = None,
    ) -> PagedList[AuditEvent]:
        """Audit events, newest first, filtered by every given field.

        ``action`` ending in ``.`` matches each action it starts (``token.``); ``since`` is
        inclusive, ``until`` exclusive. Pages are by id, so appends never shift them.
        """

    @property
    def generation(self) -> int:
        """A number that changes after every change made through this store object.

        Caches of decisions (the policy's) keep an answer only while it is unchanged, so a
        grant given or revoked in this process counts at once; changes made by another
        process are seen when the cache entry expires. A store that cannot tell answers a
        new number each time (nothing is cached).
        """
        self._uncounted = getattr(self, "_uncounted", 0) + 1
        return self._uncounted

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (nothing by default: the backend owns the database)."""
