"""Budget policies and guardrails of the SQL gateway store.

A mixin of :class:`~ardea.store.sql.gateway.store.SqlGatewayStore`, kept apart for size.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea.entities import PagedList
from ardea.entities.gateway import (
    EndpointGuardrailConfig,
    GatewayBudgetPolicy,
    GatewayGuardrail,
    new_id,
)
from ardea.store.search.paging import encode_page_token, offset_from_token
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.gateway import checks as ck
from ardea.store.sql.gateway import rows as rw
from ardea.store.sql.gateway.tables import endpoint_guardrails

__all__ = ["PolicyMixin"]

T = TypeVar("T")
_MAX_PAGE = 1000


class PolicyMixin:
    """Budget policies and guardrails, on the store's database and workspace scope."""

    _db: Database
    _scope: WorkspaceScope

    def _write(self, op: Callable[[Connection], T], conflict: str | None = None) -> T:
        raise NotImplementedError  # the store's

    # -- budgets ------------------------------------------------------------------------------

    def _budget(self, conn: Connection, budget_policy_id: str) -> GatewayBudgetPolicy:
        b = self._scope.table("gateway_budget_policies")
        row = conn.execute(sa.select(b).where(b.c.budget_policy_id == budget_policy_id)).first()
        if row is None:
            raise NotFoundError(f"GatewayBudgetPolicy {budget_policy_id} not found")
        return rw.budget_of(row)

    def create_budget_policy(
        self,
        budget_amount: float,
        duration_unit: str,
        duration_value: int,
        target_scope: str,
        budget_action: str,
        *,
        budget_unit: str = "USD",
        target_value: str | None = None,
        created_by: str | None = None,
    ) -> GatewayBudgetPolicy:
        """A new budget policy."""
        ck.check_budget(
            budget_amount, duration_unit, duration_value, target_scope, budget_action, budget_unit
        )
        target = ck.check_target(target_scope, target_value)
        policy_id = new_id("bp")
        now = now_ms()
        scope = self._scope

        def op(conn: Connection) -> GatewayBudgetPolicy:
            conn.execute(
                scope.insert("gateway_budget_policies").values(
                    budget_policy_id=policy_id,
                    budget_unit=budget_unit,
                    budget_amount=float(budget_amount),
                    duration_unit=duration_unit,
                    duration_value=duration_value,
                    target_scope=target_scope,
                    target_value=target,
                    budget_action=budget_action,
                    created_at=now,
                    last_updated_at=now,
                    created_by=created_by,
                    last_updated_by=created_by,
                )
            )
            return self._budget(conn, policy_id)

        return self._write(op)

    def get_budget_policy(self, budget_policy_id: str) -> GatewayBudgetPolicy:
        """One budget policy."""
        ck.check_id(budget_policy_id, "budget_policy_id")
        return self._db.read(lambda conn: self._budget(conn, budget_policy_id))

    def update_budget_policy(
        self,
        budget_policy_id: str,
        *,
        budget_amount: float | None = None,
        duration_unit: str | None = None,
        duration_value: int | None = None,
        target_scope: str | None = None,
        budget_action: str | None = None,
        budget_unit: str | None = None,
        target_value: str | None = None,
        updated_by: str | None = None,
    ) -> GatewayBudgetPolicy:
        """Change the given fields (the result is checked as a whole)."""
        ck.check_id(budget_policy_id, "budget_policy_id")
        scope = self._scope

        def op(conn: Connection) -> GatewayBudgetPolicy:
            old = self._budget(conn, budget_policy_id)
            new_scope = target_scope if target_scope is not None else old.target_scope
            merged = {
                "budget_amount": budget_amount if budget_amount is not None else old.budget_amount,
                "duration_unit": duration_unit or old.duration_unit,
                "duration_value": duration_value
                if duration_value is not None
                else old.duration_value,
                "target_scope": new_scope,
                "budget_action": budget_action or old.budget_action,
                "budget_unit": budget_unit or old.budget_unit,
            }
            ck.check_budget(
                merged["budget_amount"],
                merged["duration_unit"],
                merged["duration_value"],
                merged["target_scope"],
                merged["budget_action"],
                merged["budget_unit"],
            )
            merged["target_value"] = ck.check_target(
                new_scope, target_value if target_value is not None else old.target_value
            )
            conn.execute(
                scope.update("gateway_budget_policies", budget_policy_id=budget_policy_id).values(
                    **merged, last_updated_at=now_ms(), last_updated_by=updated_by
                )
            )
            return self._budget(conn, budget_policy_id)

        return self._write(op)

    def delete_budget_policy(self, budget_policy_id: str) -> None:
        """Delete a budget policy."""
        ck.check_id(budget_policy_id, "budget_policy_id")
        scope = self._scope

        def op(conn: Connection) -> None:
            done = conn.execute(
                scope.delete("gateway_budget_policies", budget_policy_id=budget_policy_id)
            )
            if done.rowcount == 0:
                raise NotFoundError(f"GatewayBudgetPolicy {budget_policy_id} not found")

        self._write(op)

    def list_budget_policies(
        self, max_results: int = 100, page_token: str | None = None
    ) -> PagedList[GatewayBudgetPolicy]:
        """Budget policies, oldest first."""
        b = self._scope.table("gateway_budget_policies")
        order = (b.c.created_at, b.c.budget_policy_id)
        return self._page(b, order, rw.budget_of, max_results, page_token)

    def _page(
        self,
        table: Any,
        order: Sequence[Any],
        convert: Callable[[Any], T],
        max_results: int,
        page_token: str | None,
    ) -> PagedList[T]:
        if (
            isinstance(max_results, bool)
            or not isinstance(max_results, int)
            or not 1 <= max_results <= _MAX_PAGE
        ):
            raise InvalidArgumentError(f"max_results must be between 1 and {_MAX_PAGE}.")
        offset = offset_from_token(page_token)
        query = sa.select(table).order_by(*order).limit(max_results + 1).offset(offset)
        rows = self._db.read(lambda conn: conn.execute(query).all())
        token = (
            encode_page_token({"offset": offset + max_results}) if len(rows) > max_results else None
        )
        return PagedList([convert(r) for r in rows[:max_results]], token)

    # -- guardrails ---------------------------------------------------------------------------

    def _guardrail(self, conn: Connection, guardrail_id: str) -> GatewayGuardrail:
        g = self._scope.table("gateway_guardrails")
        row = conn.execute(sa.select(g).where(g.c.guardrail_id == guardrail_id)).first()
        if row is None:
            raise NotFoundError(f"GatewayGuardrail {guardrail_id} not found")
        return rw.guardrail_of(row)

    def create_guardrail(
        self,
        name: str,
        scorer_id: str,
        stage: str,
        action: str,
        *,
        scorer_version: int | None = None,
        action_endpoint_id: str | None = None,
        created_by: str | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> GatewayGuardrail:
        """A new guardrail (``action_endpoint_id``, if given, must be an endpoint here)."""
        ck.check_name(name, "name")
        ck.check_id(scorer_id, "scorer_id")
        ck.check_guardrail(stage, action)
        if scorer_version is not None and (
            isinstance(scorer_version, bool)
            or not isinstance(scorer_version, int)
            or scorer_version < 1
        ):
            raise InvalidArgumentError("'scorer_version' must be a positive integer")
        guardrail_id = new_id("gr")
        now = now_ms()
        scope = self._scope

        def op(conn: Connection) -> GatewayGuardrail:
            if action_endpoint_id is not None:
                rw.endpoint_row(conn, scope, ck.check_id(action_endpoint_id, "action_endpoint_id"))
            conn.execute(
                scope.insert("gateway_guardrails").values(
                    guardrail_id=guardrail_id,
                    name=name,
                    scorer_id=scorer_id,
                    scorer_version=scorer_version,
                    stage=stage,
                    action=action,
                    action_endpoint_id=action_endpoint_id,
                    created_at=now,
                    last_updated_at=now,
                    created_by=created_by,
                    last_updated_by=created_by,
                    config_json=_config_json(config),
                )
            )
            return self._guardrail(conn, guardrail_id)

        return self._write(op, f"Guardrail with name '{name}' already exists")

    def set_guardrail_config(
        self, guardrail_id: str, config: Mapping[str, Any], updated_by: str | None = None
    ) -> GatewayGuardrail:
        """Replace a guardrail's ``config``."""
        ck.check_id(guardrail_id, "guardrail_id")
        text = _config_json(config)
        scope = self._scope

        def op(conn: Connection) -> GatewayGuardrail:
            self._guardrail(conn, guardrail_id)
            conn.execute(
                scope.update("gateway_guardrails", guardrail_id=guardrail_id).values(
                    config_json=text, last_updated_at=now_ms(), last_updated_by=updated_by
                )
            )
            return self._guardrail(conn, guardrail_id)

        return self._write(op)

    def get_guardrail(self, guardrail_id: str) -> GatewayGuardrail:
        """One guardrail."""
        ck.check_id(guardrail_id, "guardrail_id")
        return self._db.read(lambda conn: self._guardrail(conn, guardrail_id))

    def delete_guardrail(self, guardrail_id: str) -> None:
        """Delete a guardrail and its endpoint links."""
        ck.check_id(guardrail_id, "guardrail_id")
        scope = self._scope

        def op(conn: Connection) -> None:
            self._guardrail(conn, guardrail_id)
            eg = endpoint_guardrails
            conn.execute(eg.delete().where(eg.c.guardrail_id == guardrail_id))
            conn.execute(scope.delete("gateway_guardrails", guardrail_id=guardrail_id))

        self._write(op)

    def list_guardrails(
        self, max_results: int = 100, page_token: str | None = None
    ) -> PagedList[GatewayGuardrail]:
        """Guardrails by name."""
        g = self._scope.table("gateway_guardrails")
        return self._page(g, (g.c.name, g.c.guardrail_id), rw.guardrail_of, max_results, page_token)

    def add_guardrail_to_endpoint(
        self,
        endpoint_id: str,
        guardrail_id: str,
        execution_order: int | None = None,
        created_by: str | None = None,
    ) -> EndpointGuardrailConfig:
        """Attach a guardrail to an endpoint."""
        ck.check_id(endpoint_id, "endpoint_id")
        ck.check_id(guardrail_id, "guardrail_id")
        order = ck.check_order(execution_order)
        scope = self._scope

        def op(conn: Connection) -> EndpointGuardrailConfig:
            rw.endpoint_row(conn, scope, endpoint_id)
            self._guardrail(conn, guardrail_id)
            conn.execute(
                endpoint_guardrails.insert().values(
                    endpoint_id=endpoint_id,
                    guardrail_id=guardrail_id,
                    execution_order=order,
                    created_at=now_ms(),
                    created_by=created_by,
                )
            )
            return rw.guardrails_of(conn, scope, endpoint_id, guardrail_id)[0]

        return self._write(
            op, f"Guardrail {guardrail_id} is already attached to endpoint {endpoint_id}"
        )

    def remove_guardrail_from_endpoint(self, endpoint_id: str, guardrail_id: str) -> None:
        """Detach a guardrail."""
        ck.check_id(endpoint_id, "endpoint_id")
        ck.check_id(guardrail_id, "guardrail_id")
        eg = endpoint_guardrails

        def op(conn: Connection) -> None:
            rw.endpoint_row(conn, self._scope, endpoint_id)
            done = conn.execute(
                eg.delete().where(
                    eg.c.endpoint_id == endpoint_id, eg.c.guardrail_id == guardrail_id
                )
            )
            if done.rowcount == 0:
                raise NotFoundError(
                    f"Guardrail {guardrail_id} is not attached to endpoint {endpoint_id}"
                )

        self._write(op)

    def list_endpoint_guardrails(self, endpoint_id: str) -> list[EndpointGuardrailConfig]:
        """An endpoint's guardrails in execution order."""
        ck.check_id(endpoint_id, "endpoint_id")

        def op(conn: Connection) -> list[EndpointGuardrailConfig]:
            rw.endpoint_row(conn, self._scope, endpoint_id)
            return rw.guardrails_of(conn, self._scope, endpoint_id)

        return self._db.read(op)

    def update_endpoint_guardrail(
        self, endpoint_id: str, guardrail_id: str, execution_order: int | None
    ) -> EndpointGuardrailConfig:
        """Move a guardrail in an endpoint's execution order."""
        ck.check_id(endpoint_id, "endpoint_id")
        ck.check_id(guardrail_id, "guardrail_id")
        order = ck.check_order(execution_order)
        eg = endpoint_guardrails

        def op(conn: Connection) -> EndpointGuardrailConfig:
            rw.endpoint_row(conn, self._scope, endpoint_id)
            done = conn.execute(
                eg.update()
                .where(eg.c.endpoint_id == endpoint_id, eg.c.guardrail_id == guardrail_id)
                .values(execution_order=order)
            )
            if done.rowcount == 0:
                raise NotFoundError(
                    f"Guardrail {guardrail_id} is not attached to endpoint {endpoint_id}"
                )
            return rw.guardrails_of(conn, self._scope, endpoint_id, guardrail_id)[0]

        return self._write(op)


def _config_json(config: Mapping[str, Any] | None) -> str | None:
    """A guardrail's config as stored (compact JSON, at most 64 KiB), or None."""
    if config is None:
        return None
    text = json.dumps(dict(config), separators=(",", ":"), sort_keys=True)
    if len(text) > 65_536:
        raise InvalidArgumentError("'config' must be at most 64 KiB of JSON")
    return text
