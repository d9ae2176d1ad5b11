"""Reading gateway rows into entities (every read goes through the workspace scope)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ardea._core.errors import NotFoundError
from ardea.entities.gateway import (
    EndpointGuardrailConfig,
    GatewayBudgetPolicy,
    GatewayEndpoint,
    GatewayGuardrail,
    GatewayModelDefinition,
    GatewaySecretInfo,
    ModelMapping,
)
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.gateway.tables import endpoint_guardrails, endpoint_tags, model_mappings

__all__ = [
    "budget_of",
    "definitions_by_id",
    "endpoint_row",
    "endpoints_of",
    "guardrail_of",
    "guardrails_of",
    "secret_of",
]

SECRET_PUBLIC = (
    "secret_id",
    "secret_name",
    "masked_value",
    "provider",
    "auth_config",
    "created_at",
    "last_updated_at",
    "created_by",
    "last_updated_by",
)
"""The columns a secret's metadata shows (never ``encrypted_value``)."""


def _json(text: str | None) -> Any:
    return orjson.loads(text) if text else None


def secret_of(row: Any) -> GatewaySecretInfo:
    """A secret's metadata from a row of :data:`SECRET_PUBLIC` columns."""
    return GatewaySecretInfo(
        secret_id=row.secret_id,
        secret_name=row.secret_name,
        masked_values=_json(row.masked_value) or {},
        provider=row.provider,
        auth_config=_json(row.auth_config) or {},
        created_at=int(row.created_at),
        last_updated_at=int(row.last_updated_at),
        created_by=row.created_by,
        last_updated_by=row.last_updated_by,
    )


def definitions_by_id(
    conn: Connection,
    scope: WorkspaceScope,
    ids: Sequence[str] | None = None,
    where: ColumnElement[bool] | None = None,
) -> dict[str, GatewayModelDefinition]:
    """Model definitions of the workspace, with their secrets' names.

    Only those with ``ids``, and those matching ``where``, when given.
    """
    d = scope.table("gateway_model_definitions")
    s = scope.table("gateway_secrets")
    query = sa.select(d, s.c.secret_name).select_from(
        d.outerjoin(s, s.c.secret_id == d.c.secret_id)
    )
    if ids is not None:
        if not ids:
            return {}
        query = query.where(d.c.model_definition_id.in_(list(ids)))
    if where is not None:
        query = query.where(where)
    out = {}
    for row in conn.execute(query.order_by(d.c.name)):
        out[row.model_definition_id] = GatewayModelDefinition(
            model_definition_id=row.model_definition_id,
            name=row.name,
            secret_id=row.secret_id,
            secret_name=row.secret_name,
            provider=row.provider,
            model_name=row.model_name,
            created_at=int(row.created_at),
            last_updated_at=int(row.last_updated_at),
            created_by=row.created_by,
            last_updated_by=row.last_updated_by,
        )
    return out


def endpoint_row(
    conn: Connection, scope: WorkspaceScope, endpoint_id: str | None, name: str | None = None
) -> Any:
    """The endpoint's row in the workspace, by id or name (NotFoundError otherwise)."""
    e = scope.table("gateway_endpoints")
    where = e.c.endpoint_id == endpoint_id if endpoint_id is not None else e.c.name == name
    row = conn.execute(sa.select(e).where(where)).first()
    if row is None:
        shown = endpoint_id if endpoint_id is not None else f"named '{name}'"
        raise NotFoundError(f"GatewayEndpoint {shown} not found")
    return row


def endpoints_of(
    conn: Connection, scope: WorkspaceScope, rows: Sequence[Any]
) -> list[GatewayEndpoint]:
    """Endpoints from their rows, with mappings (and their definitions) and tags."""
    ids = [r.endpoint_id for r in rows]
    if not ids:
        return []
    mappings: dict[str, list[Any]] = {i: [] for i in ids}
    m = model_mappings
    for row in conn.execute(
        sa.select(m)
        .where(m.c.endpoint_id.in_(ids))
        .order_by(m.c.endpoint_id, m.c.linkage_type.desc(), m.c.fallback_order, m.c.created_at)
    ):
        mappings[row.endpoint_id].append(row)
    wanted = sorted({r.model_definition_id for rs in mappings.values() for r in rs})
    definitions = definitions_by_id(conn, scope, wanted)
    tags: dict[str, dict[str, str]] = {i: {} for i in ids}
    t = endpoint_tags
    for row in conn.execute(sa.select(t).where(t.c.endpoint_id.in_(ids))):
        tags[row.endpoint_id][row.key] = row.value if row.value is not None else ""
    for items in mappings.values():  # PRIMARY first, then fallback order, then name
        items.sort(
            key=lambda mr: (
                mr.linkage_type != "PRIMARY",
                mr.fallback_order if mr.fallback_order is not None else 1 << 30,
                definitions[mr.model_definition_id].name
                if mr.model_definition_id in definitions
                else "",
            )
        )
    out = []
    for r in rows:
        fallback = _json(r.fallback_config) or {}
        out.append(
            GatewayEndpoint(
                endpoint_id=r.endpoint_id,
                name=r.name,
                endpoint_type=r.endpoint_type,
                model_mappings=tuple(
                    ModelMapping(
                        mapping_id=mr.mapping_id,
                        endpoint_id=mr.endpoint_id,
                        model_definition=definitions[mr.model_definition_id],
                        weight=float(mr.weight),
                        linkage_type=mr.linkage_type,
                        fallback_order=mr.fallback_order,
                        created_at=int(mr.created_at),
                        created_by=mr.created_by,
                    )
                    for mr in mappings[r.endpoint_id]
                    if mr.model_definition_id in definitions
                ),
                tags=tags[r.endpoint_id],
                routing_strategy=r.routing_strategy,
                fallback_strategy=fallback.get("strategy"),
                fallback_max_attempts=fallback.get("max_attempts"),
                experiment_id=r.experiment_id,
                usage_tracking=bool(r.usage_tracking),
                created_at=int(r.created_at),
                last_updated_at=int(r.last_updated_at),
                created_by=r.created_by,
                last_updated_by=r.last_updated_by,
                options=_json(r.options) or {},
            )
        )
    return out


def budget_of(row: Any) -> GatewayBudgetPolicy:
    """A budget policy from its row."""
    return GatewayBudgetPolicy(
        budget_policy_id=row.budget_policy_id,
        budget_unit=row.budget_unit,
        budget_amount=float(row.budget_amount),
        duration_unit=row.duration_unit,
        duration_value=int(row.duration_value),
        target_scope=row.target_scope,
        target_value=row.target_value,
        budget_action=row.budget_action,
        created_at=int(row.created_at),
        last_updated_at=int(row.last_updated_at),
        created_by=row.created_by,
        last_updated_by=row.last_updated_by,
    )


def guardrail_of(row: Any) -> GatewayGuardrail:
    """A guardrail from its row."""
    return GatewayGuardrail(
        guardrail_id=row.guardrail_id,
        name=row.name,
        scorer_id=row.scorer_id,
        scorer_version=row.scorer_version,
        stage=row.stage,
        action=row.action,
        action_endpoint_id=row.action_endpoint_id,
        created_at=int(row.created_at),
        last_updated_at=int(row.last_updated_at),
        created_by=row.created_by,
        last_updated_by=row.last_updated_by,
        config=orjson.loads(row.config_json) if row.config_json else None,
    )


def guardrails_of(
    conn: Connection, scope: WorkspaceScope, endpoint_id: str, guardrail_id: str | None = None
) -> list[EndpointGuardrailConfig]:
    """An endpoint's guardrail links in execution order (unordered last, then by name)."""
    g = scope.table("gateway_guardrails")
    eg = endpoint_guardrails
    query = (
        sa.select(
            g,
            eg.c.execution_order,
            eg.c.created_at.label("linked_at"),
            eg.c.created_by.label("linked_by"),
        )
        .select_from(eg.join(g, g.c.guardrail_id == eg.c.guardrail_id))
        .where(eg.c.endpoint_id == endpoint_id)
        .order_by(eg.c.execution_order.is_(None), eg.c.execution_order, g.c.name)
    )
    if guardrail_id is not None:
        query = query.where(eg.c.guardrail_id == guardrail_id)
    return [
        EndpointGuardrailConfig(
            endpoint_id=endpoint_id,
            guardrail=guardrail_of(row),
            execution_order=row.execution_order,
            created_at=int(row.linked_at),
            created_by=row.linked_by,
        )
        for row in conn.execute(query)
    ]
