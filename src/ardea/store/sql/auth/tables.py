"""The auth schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

Every table is prefixed ``auth_``. No secret is stored in the clear: ``auth_users`` keeps an
argon2 hash, ``auth_tokens`` the SHA-256 of a token's secret (tokens carry 256 bits of
entropy, so a fast hash is enough), ``auth_sessions`` the SHA-256 of the session cookie.
Roles and grants name their workspace as a plain string (no foreign key: workspaces are
their own aggregate). Ids are never reused (``sqlite_autoincrement``), so a grant or an
audit row can never come to mean another user.
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = [
    "NAME_LENGTH",
    "RESOURCE_ID_LENGTH",
    "WORKSPACE_LENGTH",
    "audit_events",
    "role_grants",
    "roles",
    "sessions",
    "tokens",
    "user_grants",
    "user_roles",
    "users",
]

NAME_LENGTH = 255
"""Usernames, role and token names."""

WORKSPACE_LENGTH = 63
"""Workspace names (``^[a-z0-9][a-z0-9-]{0,62}$``)."""

RESOURCE_ID_LENGTH = 256
"""Resource ids and patterns (a registered model's name is at most 256 characters)."""


def _user_fk() -> sa.ForeignKey:
    return sa.ForeignKey("auth_users.id", ondelete="CASCADE")


def _role_fk() -> sa.ForeignKey:
    return sa.ForeignKey("auth_roles.id", ondelete="CASCADE")


users = sa.Table(
    "auth_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(NAME_LENGTH), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("updated", sa.BigInteger, nullable=False),
    sqlite_autoincrement=True,
    **_MYSQL,
)

tokens = sa.Table(
    "auth_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, _user_fk(), nullable=False, index=True),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False, unique=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("expires", sa.BigInteger, nullable=True),
    sa.Column("last_used", sa.BigInteger, nullable=True),
    sa.Column("revoked", sa.BigInteger, nullable=True),
    sqlite_autoincrement=True,
    **_MYSQL,
)

sessions = sa.Table(
    "auth_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, _user_fk(), nullable=False, index=True),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("last_seen", sa.BigInteger, nullable=False),
    sa.Column("expires", sa.BigInteger, nullable=False, index=True),
    sa.Column("ip", sa.String(64), nullable=True),
    sa.Column("user_agent", sa.String(512), nullable=True),
    **_MYSQL,
)

roles = sa.Table(
    "auth_roles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace", sa.String(WORKSPACE_LENGTH), nullable=False),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("workspace", "name"),
    sqlite_autoincrement=True,
    **_MYSQL,
)

role_grants = sa.Table(
    "auth_role_grants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("role_id", sa.Integer, _role_fk(), nullable=False),
    sa.Column("resource_type", sa.String(32), nullable=False),
    sa.Column("resource_pattern", sa.String(RESOURCE_ID_LENGTH), nullable=False),
    sa.Column("permission", sa.String(16), nullable=False),
    sa.UniqueConstraint("role_id", "resource_type", "resource_pattern"),
    sqlite_autoincrement=True,
    **_MYSQL,
)

user_roles = sa.Table(
    "auth_user_roles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, _user_fk(), nullable=False),
    sa.Column("role_id", sa.Integer, _role_fk(), nullable=False, index=True),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("user_id", "role_id"),
    sqlite_autoincrement=True,
    **_MYSQL,
)

user_grants = sa.Table(
    "auth_user_grants",
    metadata,
    sa.Column("user_id", sa.Integer, _user_fk(), primary_key=True),
    sa.Column("workspace", sa.String(WORKSPACE_LENGTH), primary_key=True),
    sa.Column("resource_type", sa.String(32), primary_key=True),
    sa.Column("resource_id", sa.String(RESOURCE_ID_LENGTH), primary_key=True),
    sa.Column("permission", sa.String(16), nullable=False),
    sa.Column("updated", sa.BigInteger, nullable=False),
    # "Who has access to this resource" and, later, "which ids may this user read".
    sa.Index(None, "workspace", "resource_type", "resource_id"),
    **_MYSQL,
)

audit_events = sa.Table(
    "auth_audit_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("time", sa.BigInteger, nullable=False, index=True),
    sa.Column("actor", sa.String(NAME_LENGTH), nullable=False, index=True),
    sa.Column("action", sa.String(64), nullable=False, index=True),
    sa.Column("target", sa.String(512), nullable=True),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("ip", sa.String(64), nullable=True),
    sqlite_autoincrement=True,
    **_MYSQL,
)
