"""Build entities from rows, several at a time, in a fixed number of queries (never per item)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    LoggedModel,
    Metric,
    ModelOutput,
    Run,
    RunInfo,
)
from ardea.store.sql._db.common import chunked
from ardea.store.sql._db.rows import raw_rows
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.common import decode_value

__all__ = [
    "MODEL_INPUTS_SQL",
    "OUTPUTS_SQL",
    "load_experiments",
    "load_logged_models",
    "load_runs",
    "run_child_sql",
    "run_info_from_row",
    "runs_sql",
]


def _rows(conn: Connection, stmt_for: Any, ids: Sequence[Any]) -> list[sa.Row[Any]]:
    out: list[sa.Row[Any]] = []
    for part in chunked(list(ids)):
        out.extend(conn.execute(stmt_for(part)).all())
    return out


def run_info_from_row(row: Any) -> RunInfo:
    """A RunInfo from a ``runs`` row."""
    return RunInfo(
        run_id=row.run_id,
        experiment_id=str(row.experiment_id),
        run_name=row.run_name,
        user_id=row.user_id,
        status=row.status,
        start_time=row.start_time,
        end_time=row.end_time,
        artifact_uri=row.artifact_uri,
        lifecycle_stage=row.lifecycle_stage,
    )


def runs_sql(scope: WorkspaceScope) -> str:
    """A page of runs' own columns, in RunInfo field order (``{ids}``: the placeholders).

    Runs of experiments outside ``scope`` are left out (a run id from another workspace is
    not found).
    """

    def build() -> str:
        owned = (
            scope.sql_owns_experiment("runs.experiment_id").replace("{", "{{").replace("}", "}}")
        )
        return (
            "SELECT run_id, experiment_id, run_name, user_id, status, start_time, end_time, "
            f"artifact_uri, lifecycle_stage FROM runs WHERE run_id IN ({{ids}}) AND {owned}"
        )

    return scope.cached(("tracking", "runs_sql"), build)


MODEL_INPUTS_SQL = (
    "SELECT run_id, model_id FROM run_model_inputs WHERE run_id IN ({ids}) "
    "ORDER BY run_id, model_id"
)
"""The model inputs of a page of runs."""
OUTPUTS_SQL = (
    "SELECT run_id, model_id, step FROM run_outputs WHERE run_id IN ({ids}) "
    "ORDER BY run_id, step, model_id"
)
"""The model outputs of a page of runs."""


def run_child_sql(conn: Connection) -> dict[str, str]:
    """The dialect-quoted queries for a page of runs' latest metrics, params, tags, inputs."""
    q = conn.dialect.identifier_preparer.quote
    key, ts = q("key"), q("timestamp")
    kv = "SELECT run_id, {key}, value FROM {table} WHERE run_id IN ({{ids}}) ORDER BY run_id, {key}"
    return {
        "metrics": f"SELECT run_id, {key}, value, {ts}, step, is_nan FROM latest_metrics "
        f"WHERE run_id IN ({{ids}}) ORDER BY run_id, {key}",
        "params": kv.format(key=key, table="params"),
        "tags": kv.format(key=key, table="run_tags"),
        "inputs": "SELECT ri.run_id, ri.tags, ds.name, ds.digest, ds.source_type, ds.source, "
        f"ds.{q('schema')}, ds.profile FROM run_inputs ri JOIN datasets ds "
        "ON ds.dataset_id = ri.dataset_id WHERE ri.run_id IN ({ids}) "
        "ORDER BY ri.run_id, ds.name, ds.digest",
    }


def load_runs(conn: Connection, scope: WorkspaceScope, run_ids: Sequence[str]) -> list[Run]:
    """The runs with these ids in ``scope``, in the given order (missing ids are skipped).

    Each comes with its latest metrics, params, tags, dataset inputs, model inputs and
    outputs: 7 queries per chunk of ids.
    """
    if not run_ids:
        return []
    runs: dict[str, Run] = {}
    for row in raw_rows(conn, runs_sql(scope), run_ids):
        runs[row[0]] = Run(info=RunInfo(row[0], str(row[1]), *row[2:]))
    found = list(runs)
    if not found:
        return []
    sql = run_child_sql(conn)
    for run_id, k, value, timestamp, step, is_nan in raw_rows(conn, sql["metrics"], found):
        runs[run_id].data.metrics.append(Metric(k, decode_value(value, is_nan), timestamp, step))
    for attr in ("params", "tags"):
        for run_id, k, value in raw_rows(conn, sql[attr], found):
            getattr(runs[run_id].data, attr)[k] = value
    for run_id, tags, name, digest, source_type, source, schema, profile in raw_rows(
        conn, sql["inputs"], found
    ):
        runs[run_id].inputs.dataset_inputs.append(
            DatasetInput(
                dataset=Dataset(name, digest, source_type, source, schema, profile),
                tags=json.loads(tags) if tags else {},
            )
        )
    for run_id, model_id in raw_rows(conn, MODEL_INPUTS_SQL, found):
        runs[run_id].inputs.model_inputs.append(model_id)
    for run_id, model_id, step in raw_rows(conn, OUTPUTS_SQL, found):
        runs[run_id].outputs.model_outputs.append(ModelOutput(model_id=model_id, step=step))
    return [runs[r] for r in run_ids if r in runs]


def load_experiments(
    conn: Connection, scope: WorkspaceScope, experiment_ids: Sequence[int]
) -> list[Experiment]:
    """``scope``'s experiments with these ids, in the given order, tags included: 2 queries."""
    if not experiment_ids:
        return []
    ex, tg = scope.experiments, t.experiment_tags
    found: dict[int, Experiment] = {}
    for row in _rows(
        conn, lambda ids: sa.select(ex).where(ex.c.experiment_id.in_(ids)), experiment_ids
    ):
        found[row.experiment_id] = Experiment(
            experiment_id=str(row.experiment_id),
            name=row.name,
            artifact_location=row.artifact_location,
            lifecycle_stage=row.lifecycle_stage,
            creation_time=row.creation_time,
            last_update_time=row.last_update_time,
            workspace=row.workspace,
        )
    for row in _rows(
        conn,
        lambda ids: sa.select(tg).where(tg.c.experiment_id.in_(ids)).order_by(tg.c.key),
        list(found),
    ):
        found[row.experiment_id].tags[row.key] = row.value
    return [found[i] for i in experiment_ids if i in found]


def load_logged_models(
    conn: Connection, scope: WorkspaceScope, model_ids: Sequence[str]
) -> list[LoggedModel]:
    """The logged models with these ids in ``scope``, in the given order.

    Each comes with its tags, params and the metric points logged with its id: 4 queries per
    chunk of ids.
    """
    if not model_ids:
        return []
    lm = t.logged_models
    found: dict[str, LoggedModel] = {}
    owned = scope.owns_experiment(lm.c.experiment_id)
    for row in _rows(
        conn, lambda ids: sa.select(lm).where(lm.c.model_id.in_(ids), owned), model_ids
    ):
        found[row.model_id] = LoggedModel(
            model_id=row.model_id,
            experiment_id=str(row.experiment_id),
            name=row.name,
            artifact_location=row.artifact_location,
            creation_timestamp=row.creation_timestamp,
            last_updated_timestamp=row.last_updated_timestamp,
            status=row.status,
            model_type=row.model_type,
            source_run_id=row.source_run_id,
            status_message=row.status_message,
            lifecycle_stage=row.lifecycle_stage,
        )
    ids = list(found)
    for table, attr in ((t.logged_model_tags, "tags"), (t.logged_model_params, "params")):
        for row in _rows(
            conn,
            lambda part, tb=table: sa.select(tb).where(tb.c.model_id.in_(part)).order_by(tb.c.key),
            ids,
        ):
            getattr(found[row.model_id], attr)[row.key] = row.value
    for row in _rows(conn, lambda part: _model_metrics_query(part), ids):
        found[row.model_id].metrics.append(
            Metric(
                key=row.key,
                value=decode_value(row.value, row.is_nan),
                timestamp=row.timestamp,
                step=row.step,
                dataset_name=row.dataset_name,
                dataset_digest=row.dataset_digest,
                model_id=row.model_id,
                run_id=row.run_id,
            )
        )
    return [found[i] for i in model_ids if i in found]


def _model_metrics_query(model_ids: Sequence[str]) -> sa.Select[Any]:
    """Metric points carrying one of ``model_ids``, by any run.

    Every run that logged such a point is in ``logged_model_metric_runs``; the points are
    reached from there through the ``(run_id, key)`` index of ``metric_series`` and the
    primary key index of ``metrics``.
    """
    m, s, mr = t.metrics, t.metric_series, t.logged_model_metric_runs
    linked_runs = sa.select(mr.c.run_id).where(mr.c.model_id.in_(model_ids)).distinct()
    return (
        sa.select(s.c.run_id, s.c.key, *(c for c in m.c if c.name != "series_id"))
        .select_from(s.join(m, m.c.series_id == s.c.series_id))
        .where(s.c.run_id.in_(linked_runs), m.c.model_id.in_(model_ids))
        .order_by(m.c.model_id, s.c.key, m.c.step, m.c.timestamp)
    )
