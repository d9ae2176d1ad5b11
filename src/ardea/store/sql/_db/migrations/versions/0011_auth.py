"""Identity: users, API tokens, login sessions, roles, grants and the audit log.

Revision ID: 0011_auth
Revises: 0010_logged_model_metric_runs
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0011_auth"
down_revision = "0010_logged_model_metric_runs"
branch_labels = None
depends_on = None


def _user_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["auth_users.id"], name=op.f(name), ondelete="CASCADE"
    )


def _role_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["role_id"], ["auth_roles.id"], name=op.f(name), ondelete="CASCADE"
    )


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "auth_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_users")),
        sa.UniqueConstraint("username", name=op.f("uq_auth_users_username")),
        sqlite_autoincrement=True,
        **options,
    )
    op.create_table(
        "auth_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=True),
        sa.Column("last_used", sa.BigInteger(), nullable=True),
        sa.Column("revoked", sa.BigInteger(), nullable=True),
        _user_fk("fk_auth_tokens_user_id_auth_users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_tokens")),
        sa.UniqueConstraint("prefix", name=op.f("uq_auth_tokens_prefix")),
        sqlite_autoincrement=True,
        **options,
    )
    op.create_index(op.f("ix_auth_tokens_user_id"), "auth_tokens", ["user_id"])
    op.create_table(
        "auth_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        _user_fk("fk_auth_sessions_user_id_auth_users"),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_auth_sessions")),
        **options,
    )
    op.create_index(op.f("ix_auth_sessions_user_id"), "auth_sessions", ["user_id"])
    op.create_index(op.f("ix_auth_sessions_expires"), "auth_sessions", ["expires"])
    op.create_table(
        "auth_roles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_roles")),
        sa.UniqueConstraint("workspace", "name", name=op.f("uq_auth_roles_workspace_name")),
        sqlite_autoincrement=True,
        **options,
    )
    op.create_table(
        "auth_role_grants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_pattern", sa.String(length=256), nullable=False),
        sa.Column("permission", sa.String(length=16), nullable=False),
        _role_fk("fk_auth_role_grants_role_id_auth_roles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_role_grants")),
        sa.UniqueConstraint(
            "role_id",
            "resource_type",
            "resource_pattern",
            name=op.f("uq_auth_role_grants_role_id_resource_type_resource_pattern"),
        ),
        sqlite_autoincrement=True,
        **options,
    )
    op.create_table(
        "auth_user_roles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        _user_fk("fk_auth_user_roles_user_id_auth_users"),
        _role_fk("fk_auth_user_roles_role_id_auth_roles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_user_roles")),
        sa.UniqueConstraint("user_id", "role_id", name=op.f("uq_auth_user_roles_user_id_role_id")),
        sqlite_autoincrement=True,
        **options,
    )
    op.create_index(op.f("ix_auth_user_roles_role_id"), "auth_user_roles", ["role_id"])
    op.create_table(
        "auth_user_grants",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("workspace", sa.String(length=63), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.String(length=256), nullable=False),
        sa.Column("permission", sa.String(length=16), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        _user_fk("fk_auth_user_grants_user_id_auth_users"),
        sa.PrimaryKeyConstraint(
            "user_id", "workspace", "resource_type", "resource_id", name=op.f("pk_auth_user_grants")
        ),
        **options,
    )
    op.create_index(
        op.f("ix_auth_user_grants_workspace_resource_type_resource_id"),
        "auth_user_grants",
        ["workspace", "resource_type", "resource_id"],
    )
    op.create_table(
        "auth_audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=512), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_audit_events")),
        sqlite_autoincrement=True,
        **options,
    )
    op.create_index(op.f("ix_auth_audit_events_time"), "auth_audit_events", ["time"])
    op.create_index(op.f("ix_auth_audit_events_actor"), "auth_audit_events", ["actor"])
    op.create_index(op.f("ix_auth_audit_events_action"), "auth_audit_events", ["action"])


def downgrade() -> None:
    for table in (
        "auth_audit_events",
        "auth_user_grants",
        "auth_user_roles",
        "auth_role_grants",
        "auth_roles",
        "auth_sessions",
        "auth_tokens",
        "auth_users",
    ):
        op.drop_table(table)
