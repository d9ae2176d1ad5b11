"""From an ID token's claims to an Ardea user: find or create it, map its groups to roles.

:func:`sign_in` runs after :meth:`~ardea.auth.oidc.OidcClient.finish` validated the claims:

- The username is the first of the configured claims (``preferred_username``, then
  ``email``) that is a valid Ardea username.
- A user of that name that does not exist is created without a password (it can only sign
  in through the provider, or get tokens). A user that exists is signed in when it has no
  password; a local account with a password is never taken over by a provider's claim
  (``PERMISSION_DENIED``), nor is a service account or a disabled user.
- Roles: each configured ``GROUP=ROLE`` mapping makes the role *managed*. At every sign-in
  the user is given the managed roles of the groups it is in and loses the managed roles of
  the groups it left, so changes at the provider take effect at the next login. Roles given
  by hand (not in any mapping) stay. A mapping naming a role that does not exist is skipped
  with a warning in the log.
- With an admin group configured, members become admins and others stop being admins
  (except the last enabled admin, which the store keeps).

Every change is audited (actor ``oidc``) and drops the user's cached credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ardea._core.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
)
from ardea.auth import accounts, audit
from ardea.auth.cache import invalidate_user
from ardea.entities.auth import Role, User, validate_username
from ardea.store.auth import AuthStore

if TYPE_CHECKING:  # the OIDC client module imports httpx, needed only with SSO configured
    from ardea.auth.oidc import OidcConfig

__all__ = ["OIDC_ACTOR", "groups_from_claims", "sign_in", "sync_roles", "username_from_claims"]

OIDC_ACTOR = "oidc"
"""The audit log's actor for what single sign-on does by itself."""

_log = logging.getLogger(__name__)


def username_from_claims(claims: Mapping[str, Any], config: OidcConfig) -> str:
    """The first configured username claim that holds a valid username.

    Raises:
        UnauthenticatedError: None of them does.
    """
    for name in config.username_claims:
        value = claims.get(name)
        if isinstance(value, str) and value:
            try:
                return validate_username(value)
            except InvalidArgumentError:
                continue
    tried = ", ".join(config.username_claims)
    raise UnauthenticatedError(
        f"The identity provider sent no usable username (looked at: {tried})."
    )


def groups_from_claims(claims: Mapping[str, Any], config: OidcConfig) -> frozenset[str]:
    """The groups claim as a set of names (a list of strings, or one string)."""
    value = claims.get(config.groups_claim)
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()


def _find_user(store: AuthStore, username: str, ip: str | None) -> User:
    login = store.get_login(username)
    if login is None:
        try:
            return accounts.create_user(store, username, None, actor=OIDC_ACTOR, ip=ip)
        except AlreadyExistsError:  # created by a concurrent sign-in
            login = store.get_login(username)
            if login is None:
                raise
    user = login.user
    if user.is_service:
        raise PermissionDeniedError(f"{username!r} is a service account: it cannot sign in.")
    if login.password_hash is not None:
        raise PermissionDeniedError(
            f"A local account named {username!r} exists with a password, and single sign-on "
            "never takes over such an account. Sign in with the password, or ask an admin "
            "to delete the local account."
        )
    if user.disabled:
        raise PermissionDeniedError("This account is disabled.")
    return user


def _resolve_roles(store: AuthStore, config: OidcConfig) -> dict[tuple[str, str], Role]:
    by_workspace: dict[str, list[Role]] = {}
    found: dict[tuple[str, str], Role] = {}
    for mapping in config.group_roles:
        roles = by_workspace.get(mapping.workspace)
        if roles is None:
            roles = by_workspace[mapping.workspace] = store.list_roles(mapping.workspace)
        role = next((r for r in roles if r.name == mapping.role), None)
        if role is None:
            _log.warning(
                "OIDC group %r maps to role %r in workspace %r, which does not exist: skipped",
                mapping.group,
                mapping.role,
                mapping.workspace,
            )
            continue
        found[(mapping.workspace, mapping.role)] = role
    return found


def sync_roles(
    store: AuthStore,
    user: User,
    groups: frozenset[str],
    config: OidcConfig,
    *,
    ip: str | None = None,
) -> tuple[list[Role], list[Role]]:
    """Give ``user`` the managed roles of its ``groups`` and take the others; what changed.

    Returns:
        The roles assigned and the roles unassigned.
    """
    roles = _resolve_roles(store, config)
    managed = {r.id: r for r in roles.values()}
    wanted = {
        roles[(m.workspace, m.role)].id
        for m in config.group_roles
        if m.group in groups and (m.workspace, m.role) in roles
    }
    held = {r.id for r in store.list_user_roles(user.id)}
    added: list[Role] = []
    removed: list[Role] = []
    for role_id in sorted(wanted - held):
        try:
            store.assign_role(user.id, role_id)
        except AlreadyExistsError:
            continue
        added.append(managed[role_id])
    for role_id in sorted((held & managed.keys()) - wanted):
        try:
            store.unassign_role(user.id, role_id)
        except NotFoundError:
            continue
        removed.append(managed[role_id])
    for action, changed in (("role.assign", added), ("role.unassign", removed)):
        for role in changed:
            detail = {"user": user.username, "role": role.name, "workspace": role.workspace}
            audit.record(store, OIDC_ACTOR, action, f"role:{role.id}", detail, ip)
    if added or removed:
        invalidate_user(user.id)
    return added, removed


def _sync_admin(
    store: AuthStore, user: User, groups: frozenset[str], config: OidcConfig, ip: str | None
) -> User:
    if config.admin_group is None:
        return user
    wanted = config.admin_group in groups
    if user.is_admin == wanted:
        return user
    try:
        return accounts.set_admin(store, user, wanted, actor=OIDC_ACTOR, ip=ip)
    except FailedPreconditionError:
        _log.warning(
            "User %r left the OIDC admin group but stays an admin: it is the last enabled one",
            user.username,
        )
        return user


def sign_in(
    store: AuthStore, claims: Mapping[str, Any], config: OidcConfig, *, ip: str | None = None
) -> User:
    """The Ardea user of validated ``claims``, created and its roles synced as needed.

    Raises:
        UnauthenticatedError: The claims hold no usable username.
        PermissionDeniedError: The name is a local account with a password, a service
            account, or a disabled user.
    """
    username = username_from_claims(claims, config)
    user = _find_user(store, username, ip)
    groups = groups_from_claims(claims, config)
    sync_roles(store, user, groups, config, ip=ip)
    return _sync_admin(store, user, groups, config, ip)
