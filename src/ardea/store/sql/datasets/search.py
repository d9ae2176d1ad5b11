"""SearchEvaluationDatasets in SQL: the filter, the experiment links, visibility and order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.entities.auth import ResourceType
from ardea.store.search.parser import parse_filter, parse_order_by
from ardea.store.search.vocabulary import EVALUATION_DATASETS
from ardea.store.sql._db.filters import ChildClauses
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql._db.visibility import visibility_condition
from ardea.store.sql.datasets.tables import dataset_experiments, dataset_tags
from ardea.store.sql.tracking.search import compare

__all__ = ["search_page"]


def search_page(
    conn: Connection,
    scope: WorkspaceScope,
    experiment_ids: Sequence[int],
    filter_string: str | None,
    order_by: Sequence[str] | None,
    offset: int,
    limit: int,
) -> list[Any]:
    """Up to ``limit`` dataset rows from ``offset``, filtered, ordered (ties by id DESC)."""
    clauses = parse_filter(filter_string, EVALUATION_DATASETS)
    orders = parse_order_by(order_by, EVALUATION_DATASETS)
    ds, tg = scope.evaluation_datasets, dataset_tags
    conditions: list[Any] = []
    readable = visibility_condition(ResourceType.EVALUATION_DATASET.value, ds.c.dataset_id)
    if readable is not None:
        conditions.append(readable)
    if experiment_ids:
        de = dataset_experiments
        linked = sa.select(de.c.dataset_id).where(de.c.experiment_id.in_(list(experiment_ids)))
        conditions.append(ds.c.dataset_id.in_(linked))
    children = ChildClauses([ds.c.dataset_id], conn.dialect.name)
    for c in dict.fromkeys(clauses):
        if c.entity == "attribute":
            conditions.append(compare(ds.c[c.key], c.comparator, c.value))
        else:
            children.keyed(tg, [tg.c.dataset_id], c.key, compare(tg.c.value, c.comparator, c.value))
    conditions += children.conditions()
    order = [ds.c[o.key].asc() if o.ascending else ds.c[o.key].desc() for o in orders] or [
        ds.c.created_time.desc()
    ]
    order.append(ds.c.dataset_id.desc())
    query = sa.select(ds).where(*conditions).order_by(*order).offset(offset).limit(limit)
    return list(conn.execute(query).all())
