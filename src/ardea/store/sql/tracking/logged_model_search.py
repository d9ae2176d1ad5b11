"""Compile a ``search_logged_models`` query (MLflow 3.18's semantics) into one ``SELECT``.

A logged model's metrics are the points logged with its id, by any run; each such run is in
``logged_model_metric_runs``, so they are read through that table, ``metric_series`` and the
primary key of ``metrics`` (an index path, never a scan of the metric history).

* A metric filter (``metrics.acc > 0.9``) compares the model's *latest* value of the metric:
  the point with the highest step, then timestamp, then value. With ``datasets``, only points
  logged on one of them count.
* ``datasets`` without a metric filter keeps the models with some point on one of them.
* Ordering by a metric uses the same latest value, among the points of ``datasets`` and of the
  order item's own dataset; models without one come last, NaN before them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ardea._core.errors import InvalidArgumentError
from ardea.entities.experiment import LifecycleStage
from ardea.entities.logged_model import LoggedModelStatus
from ardea.store.search.ast import Clause, OrderBy
from ardea.store.sql._db.filters import ChildClauses
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.search import (
    compare,
    key_value_clause,
    metric_condition,
    parse_experiment_ids,
)

__all__ = ["select_logged_model_ids"]

Datasets = Sequence[Mapping[str, Any]]


def _status_value(value: Any) -> Any:
    """Accept ``READY`` for ``LOGGED_MODEL_READY`` (values are stored as full enum names)."""
    if isinstance(value, tuple):
        return tuple(_status_value(v) for v in value)
    full = f"LOGGED_MODEL_{value}"
    return full if full in LoggedModelStatus.__members__ else value


def _check_datasets(datasets: Datasets) -> None:
    for dataset in datasets:
        name = dataset.get("dataset_name")
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError("dataset_name in the datasets clause must be specified")


def _on_datasets(metrics: sa.Table, datasets: Datasets) -> list[ColumnElement[bool]]:
    """Points on any of ``[{dataset_name, dataset_digest?}]`` (no condition when empty)."""
    if not datasets:
        return []
    scopes = []
    for dataset in datasets:
        scope = [metrics.c.dataset_name == dataset["dataset_name"]]
        if dataset.get("dataset_digest"):
            scope.append(metrics.c.dataset_digest == dataset["dataset_digest"])
        scopes.append(sa.and_(*scope))
    return [sa.or_(*scopes)]


def _model_points() -> sa.FromClause:
    """Metric points joined to the model whose id they carry."""
    mr, series, m = t.logged_model_metric_runs, t.metric_series, t.metrics
    return mr.join(series, series.c.run_id == mr.c.run_id).join(
        m, sa.and_(m.c.series_id == series.c.series_id, m.c.model_id == mr.c.model_id)
    )


def _latest(
    name: str, keys: Sequence[str], scope: Sequence[ColumnElement[bool]], experiments: list[int]
) -> sa.Subquery:
    """Per model of ``experiments`` and metric key, the latest point within ``scope``."""
    mr, series, m, lm = t.logged_model_metric_runs, t.metric_series, t.metrics, t.logged_models
    rank = (
        sa.func.row_number()
        .over(
            partition_by=(mr.c.model_id, series.c.key),
            order_by=(m.c.step.desc(), m.c.timestamp.desc(), m.c.value.desc(), m.c.is_nan),
        )
        .label("rank")
    )
    ranked = (
        sa.select(mr.c.model_id, series.c.key, m.c.value, m.c.is_nan, rank)
        .select_from(_model_points())
        .where(
            series.c.key.in_(list(keys)),
            mr.c.model_id.in_(sa.select(lm.c.model_id).where(lm.c.experiment_id.in_(experiments))),
            *scope,
        )
        .subquery(f"ranked_{name}")
    )
    return sa.select(ranked).where(ranked.c.rank == 1).subquery(name)


def _conditions(
    clauses: Sequence[Clause], datasets: Datasets, experiments: list[int], dialect: str
) -> list[ColumnElement[bool]]:
    models = t.logged_models
    out: list[ColumnElement[bool]] = []
    children = ChildClauses([models.c.model_id], dialect)
    unique = list(dict.fromkeys(clauses))
    metric_keys = [c.key for c in unique if c.entity == "metric"]
    latest = None
    if metric_keys:
        scope = _on_datasets(t.metrics, datasets)
        latest = _latest("latest_filtered", metric_keys, scope, experiments)
    for clause in unique:
        if clause.entity == "attribute":
            value = clause.value
            if clause.key == "status" and clause.comparator in ("=", "!=", "IN", "NOT IN"):
                value = _status_value(value)
            out.append(compare(models.c[clause.key], clause.comparator, value))
        elif clause.entity == "metric" and latest is not None:
            condition = sa.and_(
                latest.c.key == clause.key,
                metric_condition(latest.c.value, latest.c.is_nan, clause),
            )
            children.each("latest_metrics", latest, [latest.c.model_id], condition)
        elif clause.entity == "param":
            params = t.logged_model_params
            key_value_clause(children, params, [params.c.model_id], clause)
        elif clause.entity == "tag":
            tags = t.logged_model_tags
            key_value_clause(children, tags, [tags.c.model_id], clause)
        else:
            raise InvalidArgumentError(
                f"Cannot filter logged models on {clause.entity} {clause.key!r}"
            )
    if datasets and not metric_keys:
        mr = t.logged_model_metric_runs
        on_datasets = (
            sa.select(mr.c.model_id)
            .select_from(_model_points())
            .where(*_on_datasets(t.metrics, datasets))
        )
        out.append(models.c.model_id.in_(on_datasets))
    return out + children.conditions()


def select_logged_model_ids(
    clauses: Sequence[Clause],
    order_by: Sequence[OrderBy],
    experiment_ids: Sequence[str],
    datasets: Datasets = (),
    dialect: str = "sqlite",
    *,
    scope: WorkspaceScope = DEFAULT_SCOPE,
) -> sa.Select[str]:
    """Ids of non-deleted logged models matching a ``search_logged_models`` query.

    Args:
        clauses: Parsed filter (``parse_logged_model_filter``).
        order_by: Parsed order (``parse_logged_model_order_by``).
        experiment_ids: Experiments to search.
        datasets: ``[{dataset_name, dataset_digest?}]`` (see the module docstring).
        dialect: The SQLAlchemy dialect name the query is for.
        scope: The workspace searched: experiments of others hold no model.

    Returns:
        ``SELECT logged_models.model_id ...`` ordered by the user order, then
        ``creation_timestamp DESC`` and ``model_id ASC`` unless already ordered on.

    Raises:
        InvalidArgumentError: A dataset without a name, a non-integer experiment id or an
            unsupported clause.
    """
    _check_datasets(datasets)
    experiments = parse_experiment_ids(experiment_ids)
    models = t.logged_models
    source: sa.FromClause = models
    keys: list[ColumnElement[Any]] = []
    for index, item in enumerate(order_by):
        if item.entity == "attribute":
            column = models.c[item.key]
            keys.append(sa.case((column.is_(None), 1), else_=0))
            keys.append(column.asc() if item.ascending else column.desc())
            continue
        m = t.metrics
        points = _on_datasets(m, datasets)
        if item.dataset_name:
            points.append(m.c.dataset_name == item.dataset_name)
        if item.dataset_digest:
            points.append(m.c.dataset_digest == item.dataset_digest)
        latest = _latest(f"order_{index}", [item.key], points, experiments)
        source = source.outerjoin(latest, latest.c.model_id == models.c.model_id)
        keys.append(
            sa.case((latest.c.is_nan == sa.true(), 1), (latest.c.value.is_(None), 2), else_=0)
        )
        keys.append(latest.c.value.asc() if item.ascending else latest.c.value.desc())
    ordered = {item.key for item in order_by if item.entity == "attribute"}
    if "creation_timestamp" not in ordered:
        keys.append(models.c.creation_timestamp.desc())
    if "model_id" not in ordered:
        keys.append(models.c.model_id.asc())
    return (
        sa.select(models.c.model_id)
        .select_from(source)
        .where(
            scope.in_experiments(models.c.experiment_id, experiments),
            models.c.lifecycle_stage != LifecycleStage.DELETED.value,
            *_conditions(clauses, datasets, experiments, dialect),
        )
        .order_by(*keys)
    )
