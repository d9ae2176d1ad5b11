r"""Compile parsed searches (:mod:`ardea.store.search.ast`) into SQLAlchemy ``SELECT`` s.

Each ``select_*_ids`` function returns a statement selecting one id column, filtered and
fully ordered (user order first, then MLflow's tie-breaks), ready for ``.limit/.offset``.

Semantics that hold on every dialect:
    * ``=``/``!=``/``IN`` compare exactly (case-sensitive on SQLite and PostgreSQL).
    * ``LIKE`` is case-sensitive, ``ILIKE`` case-insensitive; patterns follow
      :mod:`ardea.store.search.like` (``%``, ``_``, backslash escape). SQLite's LIKE ignores
      ASCII case unless the per-connection ``PRAGMA case_sensitive_like`` is on, so on SQLite
      a case-sensitive LIKE compiles to ``GLOB`` with the pattern translated exactly
      (``like_to_glob``: ``*``/``?`` wildcards, ``[*]``/``[?]``/``[[]`` for literals), which
      needs no connection setup. MySQL compares ``BINARY`` operands; other dialects use
      ``LIKE ... ESCAPE '\\'``.
    * Metric filters read ``latest_metrics``; a NaN metric (``is_nan``) matches only ``!=``.
    * Ordering puts missing values last in both directions, and for metrics NaN after
      numbers but before missing values (sort key 0 number, 1 NaN, 2 missing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

from ardea._core.errors import InvalidArgumentError
from ardea.entities.experiment import ViewType
from ardea.store.search.ast import Clause, OrderBy
from ardea.store.search.like import like_to_glob, like_to_sql
from ardea.store.sql._db.filters import ChildClauses
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql._db.visibility import visibility_condition
from ardea.store.sql.tracking import tables as t

__all__ = [
    "CaseSensitiveLike",
    "compare",
    "parse_experiment_ids",
    "key_value_clause",
    "metric_condition",
    "select_experiment_ids",
    "select_run_ids",
]


class CaseSensitiveLike(ColumnElement[bool]):
    """``column LIKE pattern``, case-sensitive on every dialect (see the module docstring).

    Args:
        column: The string column or expression.
        pattern: An Ardea LIKE pattern (``%``, ``_``, backslash escapes).
    """

    inherit_cache = False
    type = sa.Boolean()

    def __init__(self, column: ColumnElement[Any], pattern: str) -> None:
        self.column = column
        self.like_pattern = like_to_sql(pattern)
        self.glob_pattern = like_to_glob(pattern)


@compiles(CaseSensitiveLike)
def _like_default(element: CaseSensitiveLike, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.like(element.like_pattern, escape="\\"), **kw)


@compiles(CaseSensitiveLike, "sqlite")
def _like_sqlite(element: CaseSensitiveLike, compiler: SQLCompiler, **kw: Any) -> str:
    glob = element.column.op("GLOB", is_comparison=True)(element.glob_pattern)
    return compiler.process(glob, **kw)


@compiles(CaseSensitiveLike, "mysql")
@compiles(CaseSensitiveLike, "mariadb")
def _like_mysql(element: CaseSensitiveLike, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    pattern = compiler.process(sa.literal(element.like_pattern), **kw)
    return f"(BINARY {column} LIKE BINARY {pattern})"


def compare(column: ColumnElement[Any], comparator: str, value: Any) -> ColumnElement[bool]:
    """``column <comparator> value`` for one parsed comparator (not IS [NOT] NULL).

    ``value`` is a string for LIKE and ILIKE, a collection for IN and NOT IN, else a scalar.
    """
    scalar: object = value  # as object (not Any), ``column == scalar`` is a ColumnElement[bool]
    if comparator == "=":
        return column == scalar
    if comparator == "!=":
        return column != scalar
    if comparator == ">":
        return column > scalar
    if comparator == ">=":
        return column >= scalar
    if comparator == "<":
        return column < scalar
    if comparator == "<=":
        return column <= scalar
    if comparator == "LIKE":
        return CaseSensitiveLike(column, value)
    if comparator == "ILIKE":
        return column.ilike(like_to_sql(value), escape="\\")
    if comparator == "IN":
        return column.in_(list(value))
    if comparator == "NOT IN":
        return column.not_in(list(value))
    raise InvalidArgumentError(f"Unsupported comparator {comparator!r}")


def _experiment_id(experiment_id: object) -> int | None:
    """One experiment id as an int; None when it is an integer no row can have."""
    try:
        number = int(str(experiment_id).strip())
    except ValueError:
        raise InvalidArgumentError(
            f"Invalid experiment ID {experiment_id!r}: experiment IDs are integers"
        ) from None
    return number if -(2**31) <= number < 2**31 else None


def parse_experiment_ids(experiment_ids: Sequence[str] | str) -> list[int]:
    """Experiment ids (strings on the wire) as the integers the SQL schema stores.

    Integers outside the column's range are dropped (no experiment can have them).

    Raises:
        InvalidArgumentError: An id is not an integer.
    """
    if isinstance(experiment_ids, str):
        experiment_ids = [experiment_ids]
    parsed = (_experiment_id(experiment_id) for experiment_id in experiment_ids)
    return [number for number in parsed if number is not None]


def _null_last(column: ColumnElement[Any]) -> ColumnElement[int]:
    return sa.case((column.is_(None), 1), else_=0)


def _direction(column: ColumnElement[Any], ascending: bool) -> ColumnElement[Any]:
    return column.asc() if ascending else column.desc()


def key_value_clause(
    children: ChildClauses, table: sa.Table, owner: list[ColumnElement[Any]], clause: Clause
) -> None:
    """A clause on a (owner, key, value) table: params and tags of runs, models, experiments.

    ``IS NULL`` asks for no row with the key; ``IS NOT NULL`` for one; any other comparator
    for one whose value compares.
    """
    if clause.comparator == "IS NULL":
        children.absent(table, owner, table.c.key == clause.key)
        return
    condition = None
    if clause.comparator != "IS NOT NULL":
        condition = compare(table.c.value, clause.comparator, clause.value)
    children.keyed(table, owner, clause.key, condition)


def metric_condition(
    value: ColumnElement[Any], is_nan: ColumnElement[Any], clause: Clause
) -> ColumnElement[bool]:
    """A metric comparison where a NaN value satisfies ``!=`` and nothing else."""
    if not isinstance(clause.value, (int, float)):
        raise InvalidArgumentError(f"Expected a numeric value for metric {clause.key!r}")
    condition = compare(value, clause.comparator, float(clause.value))
    if clause.comparator == "!=":
        return sa.or_(condition, is_nan == sa.true())
    return sa.and_(condition, is_nan == sa.false())


# --------------------------------------------------------------------------------------- runs


def _run_conditions(clauses: Sequence[Clause], dialect: str) -> list[ColumnElement[bool]]:
    runs = t.runs
    out: list[ColumnElement[bool]] = []
    children = ChildClauses([runs.c.run_id], dialect)
    for clause in dict.fromkeys(clauses):  # a repeated clause adds nothing
        if clause.entity == "attribute":
            out.append(compare(runs.c[clause.key], clause.comparator, clause.value))
        elif clause.entity == "metric":
            lm = t.latest_metrics
            condition = metric_condition(lm.c.value, lm.c.is_nan, clause)
            children.keyed(lm, [lm.c.run_id], clause.key, condition)
        elif clause.entity == "param":
            key_value_clause(children, t.params, [t.params.c.run_id], clause)
        elif clause.entity == "tag":
            key_value_clause(children, t.run_tags, [t.run_tags.c.run_id], clause)
        elif clause.entity == "dataset":
            ri, ds = t.run_inputs, t.datasets
            column = ri.c.context if clause.key == "context" else ds.c[clause.key]
            source = ri.join(ds, ds.c.dataset_id == ri.c.dataset_id)
            children.each(
                "datasets", source, [ri.c.run_id], compare(column, clause.comparator, clause.value)
            )
        else:
            raise InvalidArgumentError(f"Cannot filter runs on {clause.entity} {clause.key!r}")
    return out + children.conditions()


def select_run_ids(
    clauses: Sequence[Clause],
    order_by: Sequence[OrderBy],
    experiment_ids: Sequence[str],
    view_type: ViewType | str = ViewType.ACTIVE_ONLY,
    dialect: str = "sqlite",
    *,
    scope: WorkspaceScope = DEFAULT_SCOPE,
) -> sa.Select[str]:
    """Run ids matching a ``search_runs`` query, fully ordered.

    Args:
        clauses: Parsed filter (:func:`~ardea.store.search.parser.parse_run_filter`).
        order_by: Parsed order (:func:`~ardea.store.search.parser.parse_run_order_by`).
        experiment_ids: Experiments to search (integer strings).
        view_type: Which lifecycle stages to include.
        dialect: The SQLAlchemy dialect name the query is for (the shape of long filters
            depends on it, see :mod:`ardea.store.sql._db.filters`).
        scope: The workspace searched: experiments of others find no run.

    Returns:
        ``SELECT runs.run_id ...`` ordered by the user order, then ``start_time DESC``
        (unless ordered on already) and ``run_id ASC``.

    Raises:
        InvalidArgumentError: A non-integer experiment id or an unsupported clause.
    """
    runs = t.runs
    stages = ViewType(view_type).stages()
    ids = parse_experiment_ids(experiment_ids)
    source: sa.FromClause = runs
    keys: list[ColumnElement[Any]] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(order_by):
        seen.add((item.entity, item.key))
        if item.entity == "attribute":
            column = runs.c[item.key]
            if column.nullable:
                keys.append(_null_last(column))
            keys.append(_direction(column, item.ascending))
        elif item.entity == "metric":
            lm = t.latest_metrics.alias(f"order_{index}")
            source = source.outerjoin(
                lm, sa.and_(lm.c.run_id == runs.c.run_id, lm.c.key == item.key)
            )
            keys.append(sa.case((lm.c.is_nan == sa.true(), 1), (lm.c.value.is_(None), 2), else_=0))
            keys.append(_direction(lm.c.value, item.ascending))
        elif item.entity in ("param", "tag"):
            table = t.params if item.entity == "param" else t.run_tags
            kv = table.alias(f"order_{index}")
            source = source.outerjoin(
                kv, sa.and_(kv.c.run_id == runs.c.run_id, kv.c.key == item.key)
            )
            keys.append(_null_last(kv.c.value))
            keys.append(_direction(kv.c.value, item.ascending))
        else:
            raise InvalidArgumentError(f"Cannot order runs by {item.entity} {item.key!r}")
    if ("attribute", "start_time") not in seen:
        keys.append(runs.c.start_time.desc())
    if ("attribute", "run_id") not in seen:
        keys.append(runs.c.run_id.asc())
    return (
        sa.select(runs.c.run_id)
        .select_from(source)
        .where(
            scope.in_experiments(runs.c.experiment_id, ids),
            runs.c.lifecycle_stage.in_(stages),
            *_run_conditions(clauses, dialect),
        )
        .order_by(*keys)
    )


# -------------------------------------------------------------------------------- experiments


def _experiment_conditions(
    experiments: sa.Subquery, clauses: Sequence[Clause], dialect: str
) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    children = ChildClauses([experiments.c.experiment_id], dialect)
    for clause in dict.fromkeys(clauses):
        if clause.entity == "tag":
            tags = t.experiment_tags
            key_value_clause(children, tags, [tags.c.experiment_id], clause)
            continue
        if clause.entity != "attribute":
            raise InvalidArgumentError(
                f"Cannot filter experiments on {clause.entity} {clause.key!r}"
            )
        column = experiments.c[clause.key]
        if clause.key != "experiment_id":
            out.append(compare(column, clause.comparator, clause.value))
        elif isinstance(clause.value, tuple):
            out.append(compare(column, clause.comparator, parse_experiment_ids(clause.value)))
        else:
            number = _experiment_id(clause.value)
            if number is None:
                out.append(sa.true() if clause.comparator == "!=" else sa.false())
            else:
                out.append(compare(column, clause.comparator, number))
    return out + children.conditions()


def select_experiment_ids(
    clauses: Sequence[Clause],
    order_by: Sequence[OrderBy],
    view_type: ViewType | str = ViewType.ACTIVE_ONLY,
    dialect: str = "sqlite",
    *,
    scope: WorkspaceScope = DEFAULT_SCOPE,
) -> sa.Select[int]:
    """Ids of ``scope``'s experiments matching a ``search_experiments`` query, fully ordered.

    The default order is ``creation_time DESC, experiment_id ASC``; a user order is followed
    by ``experiment_id DESC`` as MLflow's tie-break (unless it orders by experiment_id).

    ``dialect`` is the SQLAlchemy dialect name the query is for.

    Raises:
        InvalidArgumentError: An experiment_id value is not an integer.
    """
    experiments = scope.experiments
    items = list(order_by) or [
        OrderBy("attribute", "creation_time", False),
        OrderBy("attribute", "experiment_id", True),
    ]
    keys: list[ColumnElement[Any]] = []
    for item in items:
        if item.entity != "attribute":
            raise InvalidArgumentError(f"Cannot order experiments by {item.entity} {item.key!r}")
        keys.append(_direction(experiments.c[item.key], item.ascending))
    if not any(item.key == "experiment_id" for item in items):
        keys.append(experiments.c.experiment_id.desc())
    conditions = _experiment_conditions(experiments, clauses, dialect)
    readable = visibility_condition("experiment", experiments.c.experiment_id, as_text=True)
    if readable is not None:  # a search made for a caller: only what it may read
        conditions.append(readable)
    return (
        sa.select(experiments.c.experiment_id)
        .where(experiments.c.lifecycle_stage.in_(ViewType(view_type).stages()), *conditions)
        .order_by(*keys)
    )
