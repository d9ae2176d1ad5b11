"""What the auth store's modules share: row -> entity, id checks, duplicate-key detection."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities.auth import (
    SERVICE_KIND,
    Permission,
    ResourceType,
    RoleGrant,
    ServiceAccount,
    TokenInfo,
    User,
)
from ardea.store.sql.auth.tables import tokens, users

__all__ = [
    "TOKEN_COLUMNS",
    "USER_COLUMNS",
    "check_id",
    "inserted_id",
    "is_unique_violation",
    "role_grant_from_row",
    "token_from_row",
    "user_from_row",
    "user_labels",
    "user_not_found",
]

USER_COLUMNS = [c for c in users.c if c.name != "password_hash"]
"""Every user column but the password hash (never loaded unless a password is checked)."""

TOKEN_COLUMNS = [c for c in tokens.c if c.name != "secret_hash"]
"""Every token column but the secret's hash."""

_INT_MAX = 2**31 - 1


def check_id(value: object, what: str) -> int:
    """An integer id (1..2^31-1); InvalidArgumentError otherwise (a bool is not an id)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _INT_MAX:
        raise InvalidArgumentError(f"Invalid {what} {value!r}: expected a positive integer.")
    return value


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The integer primary key an ``INSERT`` just generated."""
    key = result.inserted_primary_key
    if not key or key[0] is None:
        raise RuntimeError("the database returned no generated id")
    return int(key[0])


def user_not_found(what: object) -> NotFoundError:
    """The error for a missing user (by id or name)."""
    return NotFoundError(f"User {what!r} not found")


def user_from_row(row: Any, prefix: str = "") -> User:
    """A :class:`User` (or :class:`ServiceAccount`) from a row of :data:`USER_COLUMNS`.

    ``prefix`` reads labelled columns (``u_id``, ``u_username``, ...) of a joined query.
    """
    m = row._mapping
    cls = ServiceAccount if m[f"{prefix}kind"] == SERVICE_KIND else User
    return cls(
        id=m[f"{prefix}id"],
        username=m[f"{prefix}username"],
        is_admin=bool(m[f"{prefix}is_admin"]),
        created=m[f"{prefix}created"],
        disabled=bool(m[f"{prefix}disabled"]),
    )


def user_labels(prefix: str) -> list[sa.Label[Any]]:
    """:data:`USER_COLUMNS` labelled ``<prefix><name>``, for joins with another table's id."""
    return [c.label(f"{prefix}{c.name}") for c in USER_COLUMNS]


def token_from_row(row: Any) -> TokenInfo:
    """A :class:`TokenInfo` from a row with :data:`TOKEN_COLUMNS`."""
    m = row._mapping
    return TokenInfo(
        id=m["id"],
        user_id=m["user_id"],
        name=m["name"],
        prefix=m["prefix"],
        kind=m["kind"],
        created=m["created"],
        expires=m["expires"],
        last_used=m["last_used"],
        revoked=m["revoked"],
    )


def role_grant_from_row(row: Any) -> RoleGrant:
    """A :class:`RoleGrant` from a row of ``auth_role_grants``."""
    return RoleGrant(
        id=row.id,
        role_id=row.role_id,
        resource_type=ResourceType(row.resource_type),
        resource_pattern=row.resource_pattern,
        permission=Permission(row.permission),
    )


def is_unique_violation(exc: sa.exc.IntegrityError) -> bool:
    """Whether an IntegrityError is a duplicate key (SQLite, PostgreSQL, MySQL wording)."""
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate" in text
