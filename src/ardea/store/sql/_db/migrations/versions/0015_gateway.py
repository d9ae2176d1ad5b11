"""The gateway: secrets, model definitions, endpoints and their mappings, tags, bindings,
guardrails, budget policies (workspace-scoped).

Revision ID: 0015_gateway
Revises: 0014_scorers
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0015_gateway"
down_revision = "0014_scorers"
branch_labels = None
depends_on = None

_ID = 64
_TABLES = (
    "gateway_endpoint_guardrails",
    "gateway_endpoint_bindings",
    "gateway_endpoint_tags",
    "gateway_model_mappings",
    "gateway_guardrails",
    "gateway_budget_policies",
    "gateway_endpoints",
    "gateway_model_definitions",
    "gateway_secrets",
)


def _who(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length=255), nullable=True)


def _times(*names: str) -> list[sa.Column[Any]]:
    return [sa.Column(n, sa.BigInteger(), nullable=False) for n in names]


def _workspace(table: str) -> list[Any]:
    return [
        sa.Column("workspace", sa.String(length=63), server_default="default", nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace"], ["workspaces.name"], name=op.f(f"fk_{table}_workspace_workspaces")
        ),
    ]


def _endpoint_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["endpoint_id"],
        ["gateway_endpoints.endpoint_id"],
        name=op.f(f"fk_{table}_endpoint_id_gateway_endpoints"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "gateway_secrets",
        sa.Column("secret_id", sa.String(length=_ID), nullable=False),
        sa.Column("secret_name", sa.String(length=255), nullable=False),
        sa.Column("encrypted_value", sa.Text(), nullable=False),
        sa.Column("kek_id", sa.String(length=32), nullable=False),
        sa.Column("masked_value", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=True),
        sa.Column("auth_config", sa.Text(), nullable=True),
        *_times("created_at", "last_updated_at"),
        _who("created_by"),
        _who("last_updated_by"),
        *_workspace("gateway_secrets"),
        sa.PrimaryKeyConstraint("secret_id", name=op.f("pk_gateway_secrets")),
        sa.UniqueConstraint(
            "workspace", "secret_name", name=op.f("uq_gateway_secrets_workspace_secret_name")
        ),
        **options,
    )
    op.create_index(op.f("ix_gateway_secrets_kek_id"), "gateway_secrets", ["kek_id"])
    op.create_table(
        "gateway_model_definitions",
        sa.Column("model_definition_id", sa.String(length=_ID), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("secret_id", sa.String(length=_ID), nullable=True),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("model_name", sa.String(length=256), nullable=False),
        *_times("created_at", "last_updated_at"),
        _who("created_by"),
        _who("last_updated_by"),
        *_workspace("gateway_model_definitions"),
        sa.ForeignKeyConstraint(
            ["secret_id"],
            ["gateway_secrets.secret_id"],
            name=op.f("fk_gateway_model_definitions_secret_id_gateway_secrets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("model_definition_id", name=op.f("pk_gateway_model_definitions")),
        sa.UniqueConstraint(
            "workspace", "name", name=op.f("uq_gateway_model_definitions_workspace_name")
        ),
        **options,
    )
    op.create_index(
        op.f("ix_gateway_model_definitions_secret_id"), "gateway_model_definitions", ["secret_id"]
    )
    op.create_table(
        "gateway_endpoints",
        sa.Column("endpoint_id", sa.String(length=_ID), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("endpoint_type", sa.String(length=32), nullable=False),
        sa.Column("routing_strategy", sa.String(length=64), nullable=True),
        sa.Column("fallback_config", sa.Text(), nullable=True),
        sa.Column("experiment_id", sa.String(length=32), nullable=True),
        sa.Column("usage_tracking", sa.Boolean(), nullable=False),
        sa.Column("options", sa.Text(), nullable=True),
        *_times("created_at", "last_updated_at"),
        _who("created_by"),
        _who("last_updated_by"),
        *_workspace("gateway_endpoints"),
        sa.PrimaryKeyConstraint("endpoint_id", name=op.f("pk_gateway_endpoints")),
        sa.UniqueConstraint("workspace", "name", name=op.f("uq_gateway_endpoints_workspace_name")),
        **options,
    )
    op.create_table(
        "gateway_model_mappings",
        sa.Column("mapping_id", sa.String(length=_ID), nullable=False),
        sa.Column("endpoint_id", sa.String(length=_ID), nullable=False),
        sa.Column("model_definition_id", sa.String(length=_ID), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("linkage_type", sa.String(length=16), nullable=False),
        sa.Column("fallback_order", sa.Integer(), nullable=True),
        *_times("created_at"),
        _who("created_by"),
        _endpoint_fk("gateway_model_mappings"),
        sa.ForeignKeyConstraint(
            ["model_definition_id"],
            ["gateway_model_definitions.model_definition_id"],
            name=op.f("fk_gateway_model_mappings_model_definition_id_gateway_model_definitions"),
        ),
        sa.PrimaryKeyConstraint("mapping_id", name=op.f("pk_gateway_model_mappings")),
        sa.UniqueConstraint(
            "endpoint_id",
            "model_definition_id",
            "linkage_type",
            name=op.f("uq_gateway_model_mappings_endpoint_id_model_definition_id_linkage_type"),
        ),
        **options,
    )
    op.create_index(
        op.f("ix_gateway_model_mappings_model_definition_id"),
        "gateway_model_mappings",
        ["model_definition_id"],
    )
    op.create_table(
        "gateway_endpoint_tags",
        sa.Column("endpoint_id", sa.String(length=_ID), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        _endpoint_fk("gateway_endpoint_tags"),
        sa.PrimaryKeyConstraint("endpoint_id", "key", name=op.f("pk_gateway_endpoint_tags")),
        **options,
    )
    op.create_table(
        "gateway_endpoint_bindings",
        sa.Column("endpoint_id", sa.String(length=_ID), nullable=False),
        sa.Column("resource_type", sa.String(length=50), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        *_times("created_at", "last_updated_at"),
        _who("created_by"),
        _who("last_updated_by"),
        _endpoint_fk("gateway_endpoint_bindings"),
        sa.PrimaryKeyConstraint(
            "endpoint_id",
            "resource_type",
            "resource_id",
            name=op.f("pk_gateway_endpoint_bindings"),
        ),
        **options,
    )
    op.create_table(
        "gateway_budget_policies",
        sa.Column("budget_policy_id", sa.String(length=_ID), nullable=False),
        sa.Column("budget_unit", sa.String(length=32), nullable=False),
        sa.Column("budget_amount", sa.Float(), nullable=False),
        sa.Column("duration_unit", sa.String(length=32), nullable=False),
        sa.Column("duration_value", sa.Integer(), nullable=False),
        sa.Column("target_scope", sa.String(length=32), nullable=False),
        sa.Column("target_value", sa.String(length=255), nullable=True),
        sa.Column("budget_action", sa.String(length=32), nullable=False),
        *_times("created_at", "last_updated_at"),
        _who("created_by"),
        _who("last_updated_by"),
        *_workspace("gateway_budget_policies"),
        sa.PrimaryKeyConstraint("budget_policy_id", name=op.f("pk_gateway_budget_policies")),
        **options,
    )
    op.create_index(
        op.f("ix_gateway_budget_policies_workspace_created_at"),
        "gateway_budget_policies",
        ["workspace", "created_at"],
    )
    op.create_table(
        "gateway_guardrails",
        sa.Column("guardrail_id", sa.String(length=_ID), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("scorer_id", sa.String(length=_ID), nullable=False),
        sa.Column("scorer_version", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("action_endpoint_id", sa.String(length=_ID), nullable=True),
        *_times("created_at", "last_updated_at"),
        _who("created_by"),
        _who("last_updated_by"),
        *_workspace("gateway_guardrails"),
        sa.PrimaryKeyConstraint("guardrail_id", name=op.f("pk_gateway_guardrails")),
        sa.UniqueConstraint("workspace", "name", name=op.f("uq_gateway_guardrails_workspace_name")),
        **options,
    )
    op.create_table(
        "gateway_endpoint_guardrails",
        sa.Column("endpoint_id", sa.String(length=_ID), nullable=False),
        sa.Column("guardrail_id", sa.String(length=_ID), nullable=False),
        sa.Column("execution_order", sa.Integer(), nullable=True),
        *_times("created_at"),
        _who("created_by"),
        _endpoint_fk("gateway_endpoint_guardrails"),
        sa.ForeignKeyConstraint(
            ["guardrail_id"],
            ["gateway_guardrails.guardrail_id"],
            name=op.f("fk_gateway_endpoint_guardrails_guardrail_id_gateway_guardrails"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "endpoint_id", "guardrail_id", name=op.f("pk_gateway_endpoint_guardrails")
        ),
        **options,
    )
    op.create_index(
        op.f("ix_gateway_endpoint_guardrails_guardrail_id"),
        "gateway_endpoint_guardrails",
        ["guardrail_id"],
    )


def downgrade() -> None:
    there = set(sa.inspect(op.get_bind()).get_table_names())
    for table in _TABLES:
        if table in there:
            op.drop_table(table)
