"""Filter clauses on child rows (params, tags, metrics, spans, ...) in a shape that scales.

A search clause such as ``params.lr = '0.1'`` asks whether the owner (a run) has a child row
meeting a condition. One ``EXISTS`` per clause is what every dialect plans best for a few
clauses, and it stays the SQL of every filter with at most :func:`group_above` such clauses.
Beyond that, PostgreSQL plans each ``EXISTS`` as a semi-join and searches their join orders:
planning time and memory grow exponentially (10,000 runs: 20 clauses 0.8 s, 100 clauses 75 s,
200 clauses ran out of 22 GB of memory). Past the threshold the clauses on one child table
become **one** subquery that checks them all at once:

* keyed tables (at most one row per owner and key: params, tags, latest metrics, trace
  metadata): the conditions on one key are AND-ed, the keys OR-ed, and an owner matches when
  it has as many matching rows as there are keys (:func:`keyed_matches`);
* other tables (datasets, metric history, spans, assessments): an owner matches when, for
  each condition, ``MAX(CASE WHEN condition THEN 1 ELSE 0 END)`` over its rows is 1
  (:func:`each_matches`).

The subquery's form is the dialect's best: on PostgreSQL and MySQL an uncorrelated
``owner IN (SELECT owner ... GROUP BY owner HAVING ...)`` (one hashed scan); on SQLite a
correlated ``(SELECT COUNT(*) ... WHERE owner = outer.owner ...) = n`` (one index range per
candidate owner). ``IS NULL`` clauses on one table become one ``NOT EXISTS`` over any of them
(:func:`none_match`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

KeyValueTable = sa.Table | sa.Subquery
"""A (owner, key, value) table, or a workspace scope's pre-filtered selectable of one."""

__all__ = [
    "GROUP_ABOVE",
    "ChildClauses",
    "each_matches",
    "group_above",
    "keyed_matches",
    "none_match",
]

GROUP_ABOVE = {"postgresql": 4, "mysql": 12, "sqlite": 4}
"""Child-row clauses per filter up to which each gets its own ``EXISTS`` (measured: PostgreSQL
with 5 ``EXISTS`` is as fast as grouped, with 10 four times slower; MariaDB's ``EXISTS`` stays
faster than grouping up to about a dozen clauses)."""

KeyedClause = tuple[Any, "ColumnElement[bool] | None"]
"""(key, condition on the row with that key, or None for "the key is present")."""


def group_above(dialect: str) -> int:
    """The most child-row clauses a filter compiles to one ``EXISTS`` each on ``dialect``."""
    return GROUP_ABOVE.get(dialect, 4)


def _link(owner: Sequence[ColumnElement[Any]], outer: Sequence[ColumnElement[Any]]) -> list[Any]:
    return [inner == out for inner, out in zip(owner, outer, strict=True)]


def _owner_in(
    owner: Sequence[ColumnElement[Any]],
    outer: Sequence[ColumnElement[Any]],
    source: sa.FromClause,
    where: ColumnElement[bool],
    having: ColumnElement[bool],
) -> ColumnElement[bool]:
    """``outer IN (SELECT owner FROM source WHERE where GROUP BY owner HAVING having)``."""
    ids = sa.select(*owner).select_from(source).where(where).group_by(*owner).having(having)
    if len(outer) == 1:
        return outer[0].in_(ids)
    return sa.tuple_(*outer).in_(ids)


def keyed_matches(
    table: KeyValueTable,
    owner: Sequence[ColumnElement[Any]],
    outer: Sequence[ColumnElement[Any]],
    key_column: ColumnElement[Any],
    clauses: Sequence[KeyedClause],
    dialect: str,
    *,
    grouped: bool,
) -> list[ColumnElement[bool]]:
    """Conditions meaning "the owner has a row with each key meeting its condition".

    Args:
        table: The child table; (``owner`` columns, ``key_column``) is unique in it.
        owner: The child columns naming the owner.
        outer: The outer query's owner columns, in the same order.
        key_column: The child's key column.
        clauses: (key, condition or None) per clause; None asks only for the key's presence.
        dialect: The SQLAlchemy dialect name.
        grouped: One subquery for all clauses (else one ``EXISTS`` per clause).

    Returns:
        Conditions to AND into the outer query's WHERE.
    """
    if not clauses:
        return []
    link = _link(owner, outer)
    if not grouped:
        return [
            sa.exists().where(*link, key_column == key, *([] if cond is None else [cond]))
            for key, cond in clauses
        ]
    by_key: dict[Any, list[ColumnElement[bool]]] = {}
    for key, cond in clauses:
        by_key.setdefault(key, []).extend([] if cond is None else [cond])
    rows = sa.or_(*(sa.and_(key_column == key, *conds) for key, conds in by_key.items()))
    if dialect == "sqlite":
        count = sa.select(sa.func.count()).select_from(table).where(*link, rows)
        return [count.scalar_subquery() == len(by_key)]
    # ">=", not "=": the same (an owner has at most one row per key), and PostgreSQL estimates
    # "count(*) = n" to keep 0.5 % of the owners, which makes it nest loops over the subquery.
    return [_owner_in(owner, outer, table, rows, sa.func.count() >= len(by_key))]


def each_matches(
    source: sa.FromClause,
    owner: Sequence[ColumnElement[Any]],
    outer: Sequence[ColumnElement[Any]],
    conditions: Sequence[ColumnElement[bool]],
    dialect: str,
    *,
    grouped: bool,
) -> list[ColumnElement[bool]]:
    """Conditions meaning "for each condition, the owner has some row of ``source`` meeting it".

    Args:
        source: The child table (or a join of child tables).
        owner: The columns of ``source`` naming the owner.
        outer: The outer query's owner columns, in the same order.
        conditions: One condition on a child row per clause.
        dialect: The SQLAlchemy dialect name.
        grouped: One subquery for all conditions (else one ``EXISTS`` per condition).
    """
    if not conditions:
        return []
    link = _link(owner, outer)
    if not grouped:
        return [sa.exists().select_from(source).where(*link, cond) for cond in conditions]
    hits = [sa.func.max(sa.case((cond, 1), else_=0)) for cond in conditions]
    total: ColumnElement[Any] = hits[0]
    for hit in hits[1:]:
        total = total + hit
    any_row = sa.or_(*conditions)
    if dialect == "sqlite":
        matched = sa.select(total).select_from(source).where(*link, any_row)
        return [matched.scalar_subquery() == len(hits)]
    # One ">=" over the sum (see keyed_matches): each MAX is 0 or 1, so only all of them reach n.
    return [_owner_in(owner, outer, source, any_row, total >= len(hits))]


def none_match(
    source: sa.FromClause,
    owner: Sequence[ColumnElement[Any]],
    outer: Sequence[ColumnElement[Any]],
    conditions: Sequence[ColumnElement[bool]],
    *,
    grouped: bool,
) -> list[ColumnElement[bool]]:
    """Conditions meaning "the owner has no row of ``source`` meeting any of ``conditions``"."""
    if not conditions:
        return []
    link = _link(owner, outer)
    if not grouped:
        return [~sa.exists().select_from(source).where(*link, cond) for cond in conditions]
    return [~sa.exists().select_from(source).where(*link, sa.or_(*conditions))]


class ChildClauses:
    """The child-row clauses of one filter, collected per child table, then compiled at once.

    Up to :func:`group_above` of them compile to one ``EXISTS`` each (the SQL of every small
    filter); past that, each child table gets one subquery for all its clauses.

    Args:
        outer: The outer query's owner columns (``runs.run_id``, ...).
        dialect: The SQLAlchemy dialect name the query is for.

    Example::

        children = ChildClauses([runs.c.run_id], "postgresql")
        children.keyed(params, [params.c.run_id], "lr", params.c.value == "0.1")
        query = sa.select(runs.c.run_id).where(*children.conditions())
    """

    def __init__(self, outer: Sequence[ColumnElement[Any]], dialect: str) -> None:
        self.outer = outer
        self.dialect = dialect
        self.count = 0
        self._keyed: dict[
            str, tuple[KeyValueTable, Sequence[ColumnElement[Any]], list[KeyedClause]]
        ] = {}
        self._absent: dict[str, tuple[KeyValueTable, Sequence[ColumnElement[Any]], list[Any]]] = {}
        self._each: dict[str, tuple[sa.FromClause, Sequence[ColumnElement[Any]], list[Any]]] = {}

    def keyed(
        self,
        table: KeyValueTable,
        owner: Sequence[ColumnElement[Any]],
        key: str,
        condition: ColumnElement[bool] | None,
    ) -> None:
        """A clause on the row with ``key`` of a table unique in (owner, its ``key`` column).

        ``condition`` None asks only for the row to exist.
        """
        self.count += 1
        self._keyed.setdefault(table.name, (table, owner, []))[2].append((key, condition))

    def absent(
        self,
        table: KeyValueTable,
        owner: Sequence[ColumnElement[Any]],
        condition: ColumnElement[bool],
    ) -> None:
        """A clause asking for no row of ``table`` meeting ``condition``."""
        self.count += 1
        self._absent.setdefault(table.name, (table, owner, []))[2].append(condition)

    def each(
        self,
        name: str,
        source: sa.FromClause,
        owner: Sequence[ColumnElement[Any]],
        condition: ColumnElement[bool],
    ) -> None:
        """A clause asking for some row of ``source`` meeting ``condition``."""
        self.count += 1
        self._each.setdefault(name, (source, owner, []))[2].append(condition)

    def conditions(self) -> list[ColumnElement[bool]]:
        """The compiled conditions, to AND into the outer WHERE."""
        grouped = self.count > group_above(self.dialect)
        out: list[ColumnElement[bool]] = []
        for table, owner, keyed in self._keyed.values():
            out += keyed_matches(
                table, owner, self.outer, table.c.key, keyed, self.dialect, grouped=grouped
            )
        for source, owner, conditions in self._each.values():
            out += each_matches(
                source, owner, self.outer, conditions, self.dialect, grouped=grouped
            )
        for table, owner, absent in self._absent.values():
            out += none_match(table, owner, self.outer, absent, grouped=grouped)
        return out
