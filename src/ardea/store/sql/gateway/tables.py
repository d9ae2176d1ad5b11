"""The gateway schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

Top-level rows belong to a workspace (names are unique per workspace):

- ``gateway_secrets``: provider credentials. ``encrypted_value`` is an envelope record of
  :mod:`ardea._core.envelope` (never the plaintext), ``kek_id`` the key that wraps its data
  key (a rotation re-wraps the rows whose id is not the current one), ``masked_value`` the
  JSON map shown instead (``sk-...1234``), ``auth_config`` non-secret JSON options.
- ``gateway_model_definitions``: a provider model and the secret it uses (a deleted secret
  leaves the definition without one: ``ON DELETE SET NULL``, as MLflow).
- ``gateway_endpoints``: routing (``fallback_config`` JSON), usage tracking, and Ardea's
  own options (``options`` JSON: timeout, cache, limits, model override).
- ``gateway_budget_policies`` and ``gateway_guardrails`` (``config_json``: a pattern
  guardrail's patterns and PII detectors, JSON; NULL for a scorer guardrail).

Children go with their endpoint (``ON DELETE CASCADE``): ``gateway_model_mappings`` (a
definition in use cannot be deleted: no cascade from definitions), ``gateway_endpoint_tags``,
``gateway_endpoint_bindings``, ``gateway_endpoint_guardrails`` (per-endpoint order).
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import KEY_LENGTH, metadata
from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql.workspaces.tables import workspace_column

__all__ = [
    "gateway_budget_policies",
    "endpoint_bindings",
    "endpoint_guardrails",
    "endpoint_tags",
    "gateway_endpoints",
    "gateway_guardrails",
    "gateway_model_definitions",
    "model_mappings",
    "gateway_secrets",
]

ID_LENGTH = 64
"""Longest id (``s-`` + 32 hex characters in Ardea's and MLflow's)."""


def _who(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(255), nullable=True)


def _endpoint_fk() -> sa.ForeignKey:
    return sa.ForeignKey("gateway_endpoints.endpoint_id", ondelete="CASCADE")


gateway_secrets = sa.Table(
    "gateway_secrets",
    metadata,
    sa.Column("secret_id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column("secret_name", sa.String(255), nullable=False),
    sa.Column("encrypted_value", sa.Text, nullable=False),
    sa.Column("kek_id", sa.String(32), nullable=False),
    sa.Column("masked_value", sa.Text, nullable=False),
    sa.Column("provider", sa.String(64), nullable=True),
    sa.Column("auth_config", sa.Text, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    _who("created_by"),
    _who("last_updated_by"),
    workspace_column(),
    sa.UniqueConstraint("workspace", "secret_name"),
    sa.Index(None, "kek_id"),
    **_MYSQL,
)

gateway_model_definitions = sa.Table(
    "gateway_model_definitions",
    metadata,
    sa.Column("model_definition_id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column(
        "secret_id",
        sa.String(ID_LENGTH),
        sa.ForeignKey("gateway_secrets.secret_id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("provider", sa.String(64), nullable=False),
    sa.Column("model_name", sa.String(256), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    _who("created_by"),
    _who("last_updated_by"),
    workspace_column(),
    sa.UniqueConstraint("workspace", "name"),
    sa.Index(None, "secret_id"),
    **_MYSQL,
)

gateway_endpoints = sa.Table(
    "gateway_endpoints",
    metadata,
    sa.Column("endpoint_id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("endpoint_type", sa.String(32), nullable=False),
    sa.Column("routing_strategy", sa.String(64), nullable=True),
    sa.Column("fallback_config", sa.Text, nullable=True),
    sa.Column("experiment_id", sa.String(32), nullable=True),
    sa.Column("usage_tracking", sa.Boolean, nullable=False),
    sa.Column("options", sa.Text, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    _who("created_by"),
    _who("last_updated_by"),
    workspace_column(),
    sa.UniqueConstraint("workspace", "name"),
    **_MYSQL,
)

model_mappings = sa.Table(
    "gateway_model_mappings",
    metadata,
    sa.Column("mapping_id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column("endpoint_id", sa.String(ID_LENGTH), _endpoint_fk(), nullable=False),
    sa.Column(
        "model_definition_id",
        sa.String(ID_LENGTH),
        sa.ForeignKey("gateway_model_definitions.model_definition_id"),
        nullable=False,
    ),
    sa.Column("weight", sa.Float, nullable=False),
    sa.Column("linkage_type", sa.String(16), nullable=False),
    sa.Column("fallback_order", sa.Integer, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    _who("created_by"),
    sa.UniqueConstraint("endpoint_id", "model_definition_id", "linkage_type"),
    sa.Index(None, "model_definition_id"),
    **_MYSQL,
)

endpoint_tags = sa.Table(
    "gateway_endpoint_tags",
    metadata,
    sa.Column("endpoint_id", sa.String(ID_LENGTH), _endpoint_fk(), primary_key=True),
    sa.Column("key", sa.String(KEY_LENGTH), primary_key=True),
    sa.Column("value", sa.Text, nullable=True),
    **_MYSQL,
)

endpoint_bindings = sa.Table(
    "gateway_endpoint_bindings",
    metadata,
    sa.Column("endpoint_id", sa.String(ID_LENGTH), _endpoint_fk(), primary_key=True),
    sa.Column("resource_type", sa.String(50), primary_key=True),
    sa.Column("resource_id", sa.String(255), primary_key=True),
    sa.Column("display_name", sa.String(255), nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    _who("created_by"),
    _who("last_updated_by"),
    **_MYSQL,
)

gateway_budget_policies = sa.Table(
    "gateway_budget_policies",
    metadata,
    sa.Column("budget_policy_id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column("budget_unit", sa.String(32), nullable=False),
    sa.Column("budget_amount", sa.Float, nullable=False),
    sa.Column("duration_unit", sa.String(32), nullable=False),
    sa.Column("duration_value", sa.Integer, nullable=False),
    sa.Column("target_scope", sa.String(32), nullable=False),
    sa.Column("target_value", sa.String(255), nullable=True),
    sa.Column("budget_action", sa.String(32), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    _who("created_by"),
    _who("last_updated_by"),
    workspace_column(),
    sa.Index(None, "workspace", "created_at"),
    **_MYSQL,
)

gateway_guardrails = sa.Table(
    "gateway_guardrails",
    metadata,
    sa.Column("guardrail_id", sa.String(ID_LENGTH), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("scorer_id", sa.String(ID_LENGTH), nullable=False),
    sa.Column("scorer_version", sa.Integer, nullable=True),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("action_endpoint_id", sa.String(ID_LENGTH), nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    _who("created_by"),
    _who("last_updated_by"),
    workspace_column(),
    sa.Column("config_json", sa.Text, nullable=True),
    sa.UniqueConstraint("workspace", "name"),
    **_MYSQL,
)

endpoint_guardrails = sa.Table(
    "gateway_endpoint_guardrails",
    metadata,
    sa.Column("endpoint_id", sa.String(ID_LENGTH), _endpoint_fk(), primary_key=True),
    sa.Column(
        "guardrail_id",
        sa.String(ID_LENGTH),
        sa.ForeignKey("gateway_guardrails.guardrail_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("execution_order", sa.Integer, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    _who("created_by"),
    sa.Index(None, "guardrail_id"),
    **_MYSQL,
)
