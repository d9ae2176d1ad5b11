"""User management: each change checks the policy, drops cached credentials, and is audited.

The CLI (``ardea users``) and, later, the server's user endpoints call these rather than
the store directly, so that no path forgets the password policy, the cache or the audit
log. ``actor`` is who acted (a username, or ``cli`` / ``system``); ``ip`` the client address.
"""

from __future__ import annotations

from ardea.auth import audit
from ardea.auth.cache import invalidate_user
from ardea.auth.passwords import check_password_policy, hash_password
from ardea.entities.auth import SERVICE_KIND, User
from ardea.store.auth import AuthStore

__all__ = [
    "create_service_account",
    "create_user",
    "delete_user",
    "set_admin",
    "set_disabled",
    "set_password",
]


def create_user(
    store: AuthStore,
    username: str,
    password: str | None,
    *,
    is_admin: bool = False,
    actor: str,
    ip: str | None = None,
    min_length: int | None = None,
) -> User:
    """Create a user with a password (checked against the policy), or none (SSO only later).

    Raises:
        InvalidArgumentError: A bad username, or a password the policy refuses.
        AlreadyExistsError: The name is taken.
    """
    if password is not None:
        check_password_policy(password, username=username, min_length=min_length)
    password_hash = hash_password(password) if password is not None else None
    user = store.create_user(username, password_hash, is_admin=is_admin)
    detail = {"admin": is_admin, "login": "password" if password is not None else "none"}
    audit.record(store, actor, "user.create", username, detail, ip)
    return user


def create_service_account(
    store: AuthStore, name: str, *, actor: str, ip: str | None = None
) -> User:
    """Create a service account (it authenticates with tokens only)."""
    user = store.create_user(name, None, kind=SERVICE_KIND)
    audit.record(store, actor, "user.create", name, {"kind": SERVICE_KIND}, ip)
    return user


def set_password(
    store: AuthStore,
    user: User,
    password: str,
    *,
    actor: str,
    ip: str | None = None,
    keep_session: str | None = None,
    min_length: int | None = None,
) -> None:
    """Change a user's password and end its other sessions.

    Args:
        store: The auth store.
        user: Whose password.
        password: The new password (checked against the policy).
        actor: Who changed it.
        ip: The client address.
        keep_session: The ``id_hash`` of the session that made the change, kept alive.
        min_length: Overrides the configured minimum length.
    """
    check_password_policy(password, username=user.username, min_length=min_length)
    store.set_password_hash(user.id, hash_password(password))
    invalidate_user(user.id)
    store.delete_sessions_for_user(user.id, keep=keep_session)
    audit.record(store, actor, "user.password", user.username, None, ip)


def set_admin(
    store: AuthStore, user: User, is_admin: bool, *, actor: str, ip: str | None = None
) -> User:
    """Make a user an admin or not (never the last enabled admin)."""
    updated = store.set_admin(user.id, is_admin)
    invalidate_user(user.id)
    audit.record(store, actor, "user.admin", user.username, {"admin": is_admin}, ip)
    return updated


def set_disabled(
    store: AuthStore, user: User, disabled: bool, *, actor: str, ip: str | None = None
) -> User:
    """Disable a user (ending its sessions; its tokens stop working) or enable it again."""
    updated = store.set_disabled(user.id, disabled)
    invalidate_user(user.id)
    audit.record(
        store, actor, "user.disable" if disabled else "user.enable", user.username, None, ip
    )
    return updated


def delete_user(store: AuthStore, user: User, *, actor: str, ip: str | None = None) -> None:
    """Delete a user with its tokens, sessions, grants and role assignments."""
    store.delete_user(user.id)
    invalidate_user(user.id)
    audit.record(store, actor, "user.delete", user.username, {"kind": user.kind}, ip)
