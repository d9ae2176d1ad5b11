"""How big a search may be: clauses per filter, values in ``IN`` lists, order-by clauses.

MLflow has no such limits; Ardea has them so that a search is always a bounded amount of work
and a too-big one is a clear 400 (``INVALID_PARAMETER_VALUE``) rather than a server error or
a query that runs for minutes: SQLite refuses expression trees deeper than 1000 and joins of
more than 64 tables, PostgreSQL more than 65,535 bound values. Every search API applies them
(runs, experiments, logged models, traces, registered models and versions), and a filter's
NUL characters are refused here too (PostgreSQL cannot compare them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "MAX_FILTER_CLAUSES",
    "MAX_FILTER_VALUES",
    "MAX_ORDER_BY_CLAUSES",
    "check_clause_count",
    "check_filter_text",
    "check_order_by",
]

MAX_FILTER_CLAUSES = 100
"""Most clauses (joined with AND) in one filter string."""

MAX_FILTER_VALUES = 10_000
"""Most values in the ``IN`` / ``NOT IN`` lists of one filter string, all lists together."""

MAX_ORDER_BY_CLAUSES = 20
"""Most order-by clauses in one search."""


def check_filter_text(filter_string: str) -> None:
    """Refuse a filter holding a NUL character."""
    if "\x00" in filter_string:
        raise InvalidArgumentError(
            "Invalid value for parameter 'filter': NUL characters are not allowed."
        )


def check_clause_count(count: int, values: int) -> None:
    """Refuse a filter with too many clauses or list values (``count`` and ``values`` so far)."""
    if count > MAX_FILTER_CLAUSES:
        raise InvalidArgumentError(
            f"The filter has more than {MAX_FILTER_CLAUSES} clauses, the most a search "
            "accepts; narrow it (fewer clauses joined with AND)."
        )
    if values > MAX_FILTER_VALUES:
        raise InvalidArgumentError(
            f"The filter's IN lists have more than {MAX_FILTER_VALUES} values in all, the most "
            "a search accepts; split the search."
        )


def check_order_by(order_by: Sequence[object]) -> None:
    """Refuse more than :data:`MAX_ORDER_BY_CLAUSES` order-by clauses, or a NUL in one.

    Items are strings (``"metrics.acc DESC"``) or, for logged models, objects whose string
    fields are checked.
    """
    if len(order_by) > MAX_ORDER_BY_CLAUSES:
        raise InvalidArgumentError(
            f"order_by has {len(order_by)} clauses; a search accepts at most "
            f"{MAX_ORDER_BY_CLAUSES}."
        )
    for item in order_by:
        texts = item.values() if isinstance(item, Mapping) else [item]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise InvalidArgumentError(
                "Invalid value for parameter 'order_by': NUL characters are not allowed."
            )
