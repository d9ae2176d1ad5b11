"""The parsed form of a search filter and order-by list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EntityType = Literal["metric", "param", "tag", "attribute", "dataset"]
"""What an identifier refers to: ``metrics.acc`` is ("metric", "acc")."""

Comparator = Literal[
    "=", "!=", ">", ">=", "<", "<=", "LIKE", "ILIKE", "IN", "NOT IN", "IS NULL", "IS NOT NULL"
]


@dataclass(frozen=True, slots=True)
class Clause:
    """One comparison of an AND-only filter.

    Attributes:
        entity: Which namespace the key lives in.
        key: Canonical key: attribute aliases are resolved (``created`` -> ``start_time``,
            ``run name`` -> ``run_name``), quotes and backticks removed.
        comparator: Upper-case comparator.
        value: float for metric comparisons; int (float only for a fractional literal) for
            numeric attributes; str for string ones; tuple[str, ...] for IN / NOT IN; None
            for IS [NOT] NULL.
    """

    entity: EntityType
    key: str
    comparator: Comparator
    value: float | str | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class OrderBy:
    """One order-by clause: ``metrics.acc DESC`` is OrderBy("metric", "acc", False).

    ``dataset_name`` / ``dataset_digest`` only occur for logged-model metric ordering: they
    restrict the metric values considered to those logged against that dataset.
    """

    entity: EntityType
    key: str
    ascending: bool = True
    dataset_name: str | None = None
    dataset_digest: str | None = None
