"""Compile parsed trace filters (:mod:`ardea.store.search.traces`) into an ordered id SELECT.

Attribute clauses compare columns of ``traces``; tags, metadata, spans and assessments are
``EXISTS`` subqueries on their indexed tables. Span attributes are read from the JSON text
with the dialect's JSON function. The SELECT is fully ordered (user order, then
``timestamp DESC``, then ``trace_id ASC``), ready for ``.offset/.limit``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ardea._core.errors import InvalidArgumentError
from ardea.store.search.ast import OrderBy
from ardea.store.search.traces import TraceClause
from ardea.store.sql.traces import tables as t
from ardea.store.sql.tracking.search import compare

__all__ = ["select_trace_ids"]

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


def _key_value(table: sa.Table, clause: TraceClause) -> ColumnElement[bool]:
    conditions = [table.c.trace_id == _T.trace_id, table.c.key == clause.key]
    if clause.comparator == "IS NULL":
        return ~sa.exists().where(*conditions)
    if clause.comparator != "IS NOT NULL":
        conditions.append(_compare(table.c.value, clause.comparator, clause.value))
    return sa.exists().where(*conditions)


def _json_text(column: ColumnElement[Any], key: str, dialect: str) -> ColumnElement[Any]:
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
    spans = t.spans.c
    if clause.key == "content" and clause.entity == "span":
        matches = sa.or_(
            _compare(spans.name, clause.comparator, clause.value),
            _compare(spans.attributes, clause.comparator, clause.value),
        )
        return sa.exists().where(spans.trace_id == _T.trace_id, matches)
    column: ColumnElement[Any]
    if clause.entity == "span":
        column = {"name": spans.name, "type": spans.span_type, "status": spans.status_code}[
            clause.key
        ]
    else:
        column = _json_text(spans.attributes, clause.key, dialect)
    return sa.exists().where(
        spans.trace_id == _T.trace_id, _compare(column, clause.comparator, clause.value)
    )


def _assessment_condition(clause: TraceClause) -> ColumnElement[bool]:
    a = t.assessments.c
    conditions: list[ColumnElement[bool]] = [
        a.trace_id == _T.trace_id,
        a.name == clause.key,
        a.kind == clause.kind,
        a.valid.is_(True),
    ]
    if clause.comparator == "IS NULL":
        return ~sa.exists().where(*conditions)
    comparator, value = clause.comparator, clause.value
    if comparator in (">", ">=", "<", "<="):
        number = sa.case(
            (a.value.regexp_match(_NUMBER_RE), sa.cast(a.value, sa.Double)), else_=None
        )
        conditions.append(_compare(number, comparator, value))
    elif comparator == "=":
        # The JSON text of the value: 'yes' matches "yes"; 'true' and '5' match raw JSON.
        conditions.append(a.value.in_([str(value), json.dumps(value)]))
    elif comparator == "!=":
        conditions.append(a.value.not_in([str(value), json.dumps(value)]))
    elif comparator != "IS NOT NULL":
        conditions.append(_compare(a.value, comparator, value))
    return sa.exists().where(*conditions)


def _condition(clause: TraceClause, dialect: str) -> ColumnElement[bool]:
    if clause.entity == "attribute" and clause.key == "text":
        return _span_condition(
            TraceClause("span", "content", clause.comparator, clause.value), dialect
        )
    if clause.entity == "attribute":
        return _compare(_columns()[clause.key], clause.comparator, clause.value)
    if clause.entity == "tag":
        return _key_value(t.trace_tags, clause)
    if clause.entity == "metadata":
        return _key_value(t.trace_metadata, clause)
    if clause.entity in ("span", "span_attribute"):
        return _span_condition(clause, dialect)
    return _assessment_condition(clause)


def select_trace_ids(
    clauses: Sequence[TraceClause],
    orders: Sequence[OrderBy],
    experiment_ids: Sequence[int],
    dialect: str,
) -> sa.Select[Any]:
    """The ordered SELECT of ``trace_id`` for a parsed filter and order-by.

    Args:
        clauses: Parsed filter clauses (AND-ed).
        orders: Parsed order-by (attribute keys of :data:`TRACE_ORDER_KEYS`).
        experiment_ids: Experiments to search.
        dialect: SQLAlchemy dialect name (``sqlite``, ``postgresql``, ``mysql``).
    """
    query = sa.select(_T.trace_id).where(_T.experiment_id.in_(list(experiment_ids)))
    for clause in clauses:
        query = query.where(_condition(clause, dialect))
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
