"""Compile parsed trace filters (:mod:`ardea.store.search.traces`) into an ordered id SELECT.

Attribute clauses compare columns of ``traces``; tags, metadata, spans and assessments are
``EXISTS`` subqueries on their indexed tables (one subquery per table for long filters, see
:mod:`ardea.store.sql._db.filters`). Span attributes are read from the JSON text
with the dialect's JSON function. The SELECT is fully ordered (user order, then
``timestamp DESC``, then ``trace_id ASC``), ready for ``.offset/.limit``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ardea._core.errors import InvalidArgumentError
from ardea.store.search.ast import OrderBy
from ardea.store.search.traces import TraceClause
from ardea.store.sql._db.filters import ChildClauses
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.traces import tables as t
from ardea.store.sql.tracking.search import compare

__all__ = ["json_member_text", "select_trace_ids", "trace_conditions"]

_T = t.traces.c
_NUMBER_RE = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"


def _columns() -> dict[str, ColumnElement[Any]]:
    return {
        "request_id": _T.trace_id,
        "client_request_id": _T.client_request_id,
        "status": _T.state,
        "name": _T.name,
        "run_id": _T.run_id,
        "session": _T.session_id,
        "user": _T.user_id,
        "timestamp_ms": _T.request_time,
        "execution_time_ms": _T.execution_duration,
        "end_time_ms": _T.end_time,
        "input_tokens": _T.input_tokens,
        "output_tokens": _T.output_tokens,
        "total_tokens": _T.total_tokens,
        "cost": _T.cost,
        "experiment_id": _T.experiment_id,
    }


def _compare(column: ColumnElement[Any], comparator: str, value: Any) -> ColumnElement[bool]:
    if comparator == "RLIKE":
        return column.regexp_match(str(value))
    if comparator == "IS NULL":
        return column.is_(None)
    if comparator == "IS NOT NULL":
        return column.is_not(None)
    return compare(column, comparator, value)


def _key_value(children: ChildClauses, table: sa.Table, clause: TraceClause) -> None:
    owner = [table.c.trace_id]
    if clause.comparator == "IS NULL":
        children.absent(table, owner, table.c.key == clause.key)
        return
    condition = None
    if clause.comparator != "IS NOT NULL":
        condition = _compare(table.c.value, clause.comparator, clause.value)
    children.keyed(table, owner, clause.key, condition)


def json_member_text(column: ColumnElement[Any], key: str, dialect: str) -> ColumnElement[Any]:
    """The JSON object member ``key`` of a Text column, as text (strings unquoted)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        # ``astext`` comes from JSONB's comparator, which the type checker cannot see.
        member: ColumnElement[Any] = sa.cast(column, JSONB)[key].astext
        return member
    if '"' in key or "\\" in key:
        raise InvalidArgumentError(f"Span attribute keys with quotes are not searchable: {key!r}")
    path = f'$."{key}"'
    if dialect == "sqlite":
        return sa.cast(sa.func.json_extract(column, path), sa.Text)
    return sa.func.json_unquote(sa.func.json_extract(column, path))


def _span_condition(clause: TraceClause, dialect: str) -> ColumnElement[bool]:
    """The condition on one span row of a span, span attribute or text clause."""
    spans = t.spans.c
    if clause.key == "content" and clause.entity == "span":
        return sa.or_(
            _compare(spans.name, clause.comparator, clause.value),
            _compare(spans.attributes, clause.comparator, clause.value),
        )
    column: ColumnElement[Any]
    if clause.entity == "span":
        column = {"name": spans.name, "type": spans.span_type, "status": spans.status_code}[
            clause.key
        ]
    else:
        column = json_member_text(spans.attributes, clause.key, dialect)
    return _compare(column, clause.comparator, clause.value)


def _assessment(children: ChildClauses, clause: TraceClause) -> None:
    table = t.assessments
    a = table.c
    conditions: list[ColumnElement[bool]] = [
        a.name == clause.key,
        a.kind == clause.kind,
        a.valid.is_(True),
    ]
    if clause.comparator == "IS NULL":
        children.absent(table, [a.trace_id], sa.and_(*conditions))
        return
    comparator, value = clause.comparator, clause.value
    number = sa.case((a.value.regexp_match(_NUMBER_RE), sa.cast(a.value, sa.Double)), else_=None)
    if comparator in (">", ">=", "<", "<="):
        conditions.append(_compare(number, comparator, value))
    elif comparator in ("=", "!="):
        # The JSON text of the value: 'yes' matches "yes"; 'true' and '5' match raw JSON, and
        # a number also matches the same number written otherwise ('2' matches 2.0, which is
        # how mlflow's client sends every number).
        equal: ColumnElement[bool] = a.value.in_([str(value), json.dumps(value)])
        target = _as_number(value)
        if target is not None:
            equal = sa.or_(equal, sa.and_(number.is_not(None), number == target))
        conditions.append(equal if comparator == "=" else sa.not_(equal))
    elif comparator != "IS NOT NULL":
        conditions.append(_compare(a.value, comparator, value))
    children.each("assessments", table, [a.trace_id], sa.and_(*conditions))


def _as_number(value: object) -> float | None:
    """The finite number a filter value spells (``'2'``, ``'2.0'``, ``5``), else None."""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not re.fullmatch(_NUMBER_RE, text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def trace_conditions(clauses: Sequence[TraceClause], dialect: str) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a parsed filter (child-row clauses grouped when many)."""
    out: list[ColumnElement[bool]] = []
    children = ChildClauses([_T.trace_id], dialect)
    for clause in dict.fromkeys(clauses):  # a repeated clause adds nothing
        if clause.entity == "attribute" and clause.key == "text":
            text = TraceClause("span", "content", clause.comparator, clause.value)
            children.each("spans", t.spans, [t.spans.c.trace_id], _span_condition(text, dialect))
        elif clause.entity == "attribute":
            out.append(_compare(_columns()[clause.key], clause.comparator, clause.value))
        elif clause.entity == "tag":
            _key_value(children, t.trace_tags, clause)
        elif clause.entity == "metadata":
            _key_value(children, t.trace_metadata, clause)
        elif clause.entity in ("span", "span_attribute"):
            condition = _span_condition(clause, dialect)
            children.each("spans", t.spans, [t.spans.c.trace_id], condition)
        else:
            _assessment(children, clause)
    return out + children.conditions()


def select_trace_ids(
    clauses: Sequence[TraceClause],
    orders: Sequence[OrderBy],
    experiment_ids: Sequence[int],
    dialect: str,
    scope: WorkspaceScope = DEFAULT_SCOPE,
) -> sa.Select[Any]:
    """The ordered SELECT of ``trace_id`` for a parsed filter and order-by.

    Args:
        clauses: Parsed filter clauses (AND-ed).
        orders: Parsed order-by (attribute keys of :data:`TRACE_ORDER_KEYS`).
        experiment_ids: Experiments to search.
        dialect: SQLAlchemy dialect name (``sqlite``, ``postgresql``, ``mysql``).
        scope: The workspace searched: experiments of others hold no trace.
    """
    query = sa.select(_T.trace_id).where(
        scope.in_experiments(_T.experiment_id, experiment_ids),
        *trace_conditions(clauses, dialect),
    )
    columns = _columns()
    order: list[Any] = []
    seen: set[str] = set()
    for item in orders:
        column = columns[item.key]
        seen.add(item.key)
        order.append(sa.case((column.is_(None), 1), else_=0))  # NULLs last both ways
        order.append(column.asc() if item.ascending else column.desc())
    if "timestamp_ms" not in seen:
        order.append(_T.request_time.desc())
    if "request_id" not in seen:
        order.append(_T.trace_id.asc())
    return query.order_by(*order)
