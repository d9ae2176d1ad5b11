"""Writes to a run in the SQL tracking store.

Batches of metrics, params and tags, dataset inputs and model outputs. Each call is one
transaction: all of it is stored, or none.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import DatasetInput, Metric, ModelOutput, Param, RunTag
from ardea.store.sql._db.common import insert_ignore, upsert
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.tracking import metrics as metric_ops
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.common import require_active_run, run_for_write
from ardea.store.sql.tracking.metric_one import OneMetric, one_metric_params, one_metric_sql
from ardea.store.sql.tracking.runs import RUN_NAME_TAG
from ardea.store.validation import (
    MAX_DATASET_DIGEST_LENGTH,
    MAX_DATASET_NAME_LENGTH,
    MAX_DATASET_SOURCE_TYPE_LENGTH,
    MAX_RUN_NAME_LENGTH,
    check_no_nul,
    validate_batch,
    validate_length,
)

__all__ = ["SqlRunLogging"]

DATASET_CONTEXT_TAG = "mlflow.data.context"


def _stored_params(
    conn: Connection, run_id: str, keys: Sequence[str], latest: bool = False
) -> dict[str, str]:
    pt = t.params
    stmt = sa.select(pt.c.key, pt.c.value).where(pt.c.run_id == run_id, pt.c.key.in_(list(keys)))
    if latest:  # a locking read sees rows committed after this transaction's snapshot (MySQL)
        stmt = stmt.with_for_update(read=True)
    return {r.key: r.value for r in conn.execute(stmt)}


def _check_unchanged(
    run_id: str, params: Sequence[Param], stored: dict[str, str], single: bool
) -> None:
    conflicts = [p for p in params if p.key in stored and stored[p.key] != p.value]
    if not conflicts:
        return
    if single:
        p = conflicts[0]
        raise InvalidArgumentError(
            f"Changing param values is not allowed. Param with key='{p.key}' was already "
            f"logged with value='{stored[p.key]}' for run ID='{run_id}'. Attempted "
            f"logging new value '{p.value}'."
        )
    detail = [{"key": p.key, "old_value": stored[p.key], "new_value": p.value} for p in conflicts]
    raise InvalidArgumentError(
        "Changing param values is not allowed. Params were already"
        f" logged='{detail}' for run ID='{run_id}'."
    )


def _write_params(conn: Connection, run_id: str, params: Sequence[Param], single: bool) -> None:
    if not params:
        return
    params = sorted(params, key=lambda p: p.key)  # one lock order for concurrent writers
    stored = _stored_params(conn, run_id, [p.key for p in params])
    _check_unchanged(run_id, params, stored, single)
    new = [p for p in params if p.key not in stored]
    if not new:
        return
    insert_ignore(conn, t.params, [{"run_id": run_id, "key": p.key, "value": p.value} for p in new])
    if conn.dialect.name != "sqlite":
        # A concurrent transaction may have logged one of these keys meanwhile: whichever
        # value got stored first wins, and a different value is an error here too.
        stored = _stored_params(conn, run_id, [p.key for p in new], latest=True)
        _check_unchanged(run_id, new, stored, single)


def _write_tags(conn: Connection, run_id: str, tags: Sequence[RunTag]) -> None:
    if not tags:
        return
    latest = {tag.key: tag.value for tag in tags}  # the last value of a key wins
    latest = dict(sorted(latest.items()))  # one lock order for concurrent writers
    upsert(
        conn,
        t.run_tags,
        [{"run_id": run_id, "key": k, "value": v} for k, v in latest.items()],
        ("run_id", "key"),
        ("value",),
    )
    if RUN_NAME_TAG in latest:
        conn.execute(
            t.runs.update().where(t.runs.c.run_id == run_id).values(run_name=latest[RUN_NAME_TAG])
        )


def _linked(metric: Metric) -> bool:
    """A point tied to a model or dataset (the transactional path links it)."""
    return bool(metric.model_id or metric.dataset_name or metric.dataset_digest)


def _one_metric_done(run_id: str, row: tuple[object, ...] | None) -> bool:
    """Whether :mod:`.metric_one`'s statement stored the point; the run's errors raised.

    False when the statement could not run or a concurrent writer created the series
    meanwhile (nothing written either way): the caller takes the transactional path.
    """
    if row is None:
        return False
    result = OneMetric(*row)  # type: ignore[arg-type]
    if result.lifecycle_stage is None:
        raise NotFoundError(f"Run with id={run_id} not found")
    require_active_run(run_id, result.lifecycle_stage)
    return result.written


class SqlRunLogging:
    """What is logged to runs, for :class:`SqlTrackingStore`."""

    _db: Database
    _scope: WorkspaceScope

    def _log(
        self,
        run_id: str,
        metrics: Sequence[Metric],
        params: Sequence[Param],
        tags: Sequence[RunTag],
        single_param: bool = False,
    ) -> None:
        self._db.write(self._log_op(run_id, metrics, params, tags, single_param))

    def _log_op(
        self,
        run_id: str,
        metrics: Sequence[Metric],
        params: Sequence[Param],
        tags: Sequence[RunTag],
        single_param: bool = False,
    ) -> Callable[[Connection], None]:
        """Validate a batch and return the write op that stores it."""
        check_no_nul("run_id", run_id)
        validate_batch(metrics, params, tags)
        for tag in tags:
            if tag.key == RUN_NAME_TAG:
                validate_length("run_name", tag.value, MAX_RUN_NAME_LENGTH)

        def op(conn: Connection) -> None:
            run_for_write(conn, self._scope, run_id)
            _write_params(conn, run_id, params, single_param)
            _write_tags(conn, run_id, tags)
            metric_ops.insert_metrics(conn, run_id, metrics)

        return op

    async def log_batch_async(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        """Async form of :meth:`log_batch` (waits on the writer queue, no pool thread)."""
        await self._db.write_async(self._log_op(run_id, list(metrics), list(params), list(tags)))

    async def log_metric_async(self, run_id: str, metric: Metric) -> None:
        """Async form of :meth:`log_metric` (PostgreSQL: one statement awaited on the loop)."""
        op = self._log_op(run_id, [metric], (), ())  # validates
        if self._db.dialect == "postgresql" and not _linked(metric):
            row = await self._db.write_statement_async(
                one_metric_sql(self._scope), one_metric_params(run_id, metric)
            )
            if _one_metric_done(run_id, row):
                return
        await self._db.write_async(op)

    def _one_metric(self, run_id: str, metric: Metric) -> bool:
        """PostgreSQL: the point in one statement (:mod:`.metric_one`); False: not done."""
        if _linked(metric):
            return False
        sql, params = one_metric_sql(self._scope), one_metric_params(run_id, metric)
        return _one_metric_done(run_id, self._db.write_statement(sql, params))

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        """Log metrics, params and tags in one transaction: all of them or none."""
        self._log(run_id, list(metrics), list(params), list(tags))

    def log_metric(self, run_id: str, metric: Metric) -> None:
        """Log one metric point."""
        op = self._log_op(run_id, [metric], (), ())  # validates
        if self._db.dialect == "postgresql" and self._one_metric(run_id, metric):
            return
        self._db.write(op)

    def log_param(self, run_id: str, param: Param) -> None:
        """Log one param; re-logging the same value is allowed, a new value is not."""
        self._log(run_id, (), [param], (), single_param=True)

    def set_tag(self, run_id: str, tag: RunTag) -> None:
        """Set one run tag (``mlflow.runName`` also renames the run)."""
        self._log(run_id, (), (), [tag])

    def delete_tag(self, run_id: str, key: str) -> None:
        """Delete a run tag; NotFoundError if it is not set."""
        check_no_nul("run_id", run_id)
        check_no_nul("key", key)

        def op(conn: Connection) -> None:
            run_for_write(conn, self._scope, run_id)
            rt = t.run_tags
            result = conn.execute(rt.delete().where(rt.c.run_id == run_id, rt.c.key == key))
            if result.rowcount == 0:
                raise NotFoundError(f"No tag with name: {key} in run with id {run_id}")

        self._db.write(op)

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        models: Sequence[str] = (),
    ) -> None:
        """Record datasets (deduplicated per experiment by name and digest) and input models."""
        check_no_nul("run_id", run_id)
        inputs = list(datasets)
        for i, di in enumerate(inputs):
            ds = di.dataset
            if ds is None:
                raise InvalidArgumentError("Dataset input must have a dataset associated with it.")
            validate_length(f"datasets[{i}].dataset.name", ds.name, MAX_DATASET_NAME_LENGTH)
            validate_length(f"datasets[{i}].dataset.digest", ds.digest, MAX_DATASET_DIGEST_LENGTH)
            validate_length(
                f"datasets[{i}].dataset.source_type",
                ds.source_type or "",
                MAX_DATASET_SOURCE_TYPE_LENGTH,
            )
            for field in ("source", "schema", "profile"):
                check_no_nul(f"datasets[{i}].dataset.{field}", getattr(ds, field))
            for key, value in di.tags.items():
                validate_length(f"datasets[{i}].tags.key", key, 255)
                validate_length(f"datasets[{i}].tags.value", value, 500)
            context = di.tags.get(DATASET_CONTEXT_TAG)
            if context is not None:
                validate_length(f"datasets[{i}].tags.{DATASET_CONTEXT_TAG}", context, 250)
        model_ids = list(dict.fromkeys(models))
        for model_id in model_ids:
            validate_length("models.model_id", model_id, 64)

        def op(conn: Connection) -> None:
            run = run_for_write(conn, self._scope, run_id)
            if inputs:
                ids = _dataset_ids(conn, run.experiment_id, inputs)
                rows = {}
                for di, dataset_id in zip(inputs, ids, strict=True):
                    rows[dataset_id] = {
                        "run_id": run_id,
                        "dataset_id": dataset_id,
                        "context": di.tags.get(DATASET_CONTEXT_TAG),
                        "tags": json.dumps(di.tags, sort_keys=True),
                    }
                insert_ignore(conn, t.run_inputs, list(rows.values()))
            insert_ignore(
                conn, t.run_model_inputs, [{"run_id": run_id, "model_id": m} for m in model_ids]
            )

        self._db.write(op)

    def log_outputs(self, run_id: str, models: Sequence[ModelOutput]) -> None:
        """Record logged models the run produced (a model logged again moves to the new step)."""
        check_no_nul("run_id", run_id)
        outputs = {m.model_id: int(m.step or 0) for m in models}
        for model_id in outputs:
            if not model_id:
                raise InvalidArgumentError("Missing value for required parameter 'model_id'.")
            validate_length("models.model_id", model_id, 64)

        def op(conn: Connection) -> None:
            run_for_write(conn, self._scope, run_id)
            upsert(
                conn,
                t.run_outputs,
                [{"run_id": run_id, "model_id": m, "step": s} for m, s in outputs.items()],
                ("run_id", "model_id"),
                ("step",),
            )

        self._db.write(op)


def _dataset_ids(conn: Connection, experiment_id: int, inputs: list[DatasetInput]) -> list[str]:
    """The dataset ids of ``inputs`` in this experiment, creating the missing datasets."""
    ds = t.datasets
    keys = {(di.dataset.name, di.dataset.digest) for di in inputs}

    def lookup(latest: bool = False) -> dict[tuple[str, str], str]:
        stmt = sa.select(ds.c.dataset_id, ds.c.name, ds.c.digest).where(
            ds.c.experiment_id == experiment_id, ds.c.name.in_([k[0] for k in keys])
        )
        if latest:  # a locking read sees rows committed after our snapshot (MySQL)
            stmt = stmt.with_for_update(read=True)
        return {
            (r.name, r.digest): r.dataset_id
            for r in conn.execute(stmt)
            if (r.name, r.digest) in keys
        }

    known = lookup()
    new_rows = []
    for di in inputs:
        key = (di.dataset.name, di.dataset.digest)
        if key in known:
            continue
        known[key] = str(uuid.uuid4())
        new_rows.append(
            {
                "dataset_id": known[key],
                "experiment_id": experiment_id,
                "name": di.dataset.name,
                "digest": di.dataset.digest,
                "source_type": di.dataset.source_type or "",
                "source": di.dataset.source or "",
                "schema": di.dataset.schema,
                "profile": di.dataset.profile,
            }
        )
    if new_rows:
        # A concurrent writer (PostgreSQL/MySQL) may have created one meanwhile: keep its id.
        insert_ignore(conn, ds, new_rows)
        known = lookup(latest=True)
    return [known[(di.dataset.name, di.dataset.digest)] for di in inputs]
