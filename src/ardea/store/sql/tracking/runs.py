"""Runs in the SQL tracking store: lifecycle, reads, search and metric history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.ids import generate_run_name, new_run_id, now_ms
from ardea.entities import (
    LifecycleStage,
    Metric,
    PagedList,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
)
from ardea.store.search.paging import encode_page_token, offset_from_token
from ardea.store.sql._db.common import upsert
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.maintenance import StatsRefresher
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.tracking import metrics as metric_ops
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.common import (
    experiment_for_write,
    parse_experiment_id,
    run_for_write,
    run_row,
    view_type,
)
from ardea.store.sql.tracking.loaders import load_runs, run_info_from_row
from ardea.store.tracking import SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_LIMIT
from ardea.store.validation import (
    MAX_RUN_NAME_LENGTH,
    check_no_nul,
    validate_length,
    validate_max_results,
    validate_run_tag,
)

__all__ = ["RUN_NAME_TAG", "SqlRuns"]

T = TypeVar("T")

RUN_NAME_TAG = "mlflow.runName"
ACTIVE = LifecycleStage.ACTIVE.value
DELETED = LifecycleStage.DELETED.value
BULK_MAX_RUNS = 100
BULK_MAX_RESULTS = 2500


def _status(status: str) -> str:
    value = getattr(status, "value", status)
    if value not in RunStatus.__members__:
        raise InvalidArgumentError(
            f"Invalid run status {status!r}: expected one of {', '.join(RunStatus.__members__)}"
        )
    return str(value)


class SqlRuns:
    """Run lifecycle, reads and search of :class:`SqlTrackingStore`."""

    _db: Database
    _stats: StatsRefresher
    _scope: WorkspaceScope

    def create_run(
        self,
        experiment_id: str,
        user_id: str = "",
        start_time: int | None = None,
        tags: Sequence[RunTag] = (),
        run_name: str | None = None,
    ) -> Run:
        """Create a RUNNING run; a name is generated when none is given or tagged."""
        op, tag_map = self._create_run_op(experiment_id, user_id, start_time, tags, run_name)
        return Run(info=self._db.write(op), data=RunData(tags=tag_map))

    async def create_run_async(
        self,
        experiment_id: str,
        user_id: str = "",
        start_time: int | None = None,
        tags: Sequence[RunTag] = (),
        run_name: str | None = None,
    ) -> Run:
        """Async form of :meth:`create_run` (waits on the writer queue, no pool thread)."""
        op, tag_map = self._create_run_op(experiment_id, user_id, start_time, tags, run_name)
        return Run(info=await self._db.write_async(op), data=RunData(tags=tag_map))

    def _create_run_op(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int | None,
        tags: Sequence[RunTag],
        run_name: str | None,
    ) -> tuple[Callable[[Connection], RunInfo], dict[str, str]]:
        """Validate a create-run request; return its write op and the run's tags."""
        eid = parse_experiment_id(experiment_id)
        tag_map: dict[str, str] = {}
        for i, tag in enumerate(tags):
            validate_run_tag(tag, f"tags[{i}]")
            tag_map[tag.key] = tag.value
        tagged = tag_map.get(RUN_NAME_TAG)
        if run_name and tagged and run_name != tagged:
            raise InvalidArgumentError(
                "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with "
                f"different values (run_name='{run_name}', mlflow.runName='{tagged}')."
            )
        name = run_name or tagged or generate_run_name()
        validate_length("run_name", name, MAX_RUN_NAME_LENGTH)
        tag_map[RUN_NAME_TAG] = name
        run_id = new_run_id()
        start = now_ms() if start_time is None else int(start_time)
        user = validate_length("user_id", user_id or "", 256)

        def op(conn: Connection) -> RunInfo:
            exp = experiment_for_write(conn, self._scope, eid, active=True)
            info = RunInfo(
                run_id=run_id,
                experiment_id=str(eid),
                run_name=name,
                user_id=user,
                status=RunStatus.RUNNING.value,
                start_time=start,
                end_time=None,
                artifact_uri=f"{exp.artifact_location.rstrip('/')}/{run_id}/artifacts",
                lifecycle_stage=ACTIVE,
            )
            conn.execute(
                t.runs.insert().values(
                    run_id=run_id,
                    experiment_id=eid,
                    run_name=name,
                    user_id=user,
                    status=info.status,
                    start_time=start,
                    artifact_uri=info.artifact_uri,
                    lifecycle_stage=ACTIVE,
                )
            )
            conn.execute(
                t.run_tags.insert(),
                [{"run_id": run_id, "key": k, "value": v} for k, v in tag_map.items()],
            )
            return info

        return op, dict(tag_map)

    def get_run(self, run_id: str) -> Run:
        """The run with its latest metrics, params, tags, inputs and outputs."""
        check_no_nul("run_id", run_id)
        found = self._db.read(lambda conn: load_runs(conn, self._scope, [run_id]))
        if not found:
            raise NotFoundError(f"Run with id={run_id} not found")
        return found[0]

    def experiment_of_run(self, run_id: str) -> str:
        """The run's experiment id, from one primary-key lookup (the log calls' own)."""
        check_no_nul("run_id", run_id)
        return str(self._db.read(lambda conn: run_row(conn, self._scope, run_id)).experiment_id)

    def update_run_info(
        self,
        run_id: str,
        status: str | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> RunInfo:
        """Change only the given fields of a run (the name also updates ``mlflow.runName``)."""
        check_no_nul("run_id", run_id)
        values: dict[str, object] = {}
        if status is not None:
            values["status"] = _status(status)
        if end_time is not None:
            values["end_time"] = int(end_time)
        if run_name:
            values["run_name"] = validate_length("run_name", run_name, MAX_RUN_NAME_LENGTH)

        def op(conn: Connection) -> RunInfo:
            run_for_write(conn, self._scope, run_id)
            if values:
                conn.execute(t.runs.update().where(t.runs.c.run_id == run_id).values(**values))
            if run_name:
                upsert(
                    conn,
                    t.run_tags,
                    [{"run_id": run_id, "key": RUN_NAME_TAG, "value": run_name}],
                    ("run_id", "key"),
                    ("value",),
                )
            row = conn.execute(sa.select(t.runs).where(t.runs.c.run_id == run_id)).one()
            return run_info_from_row(row)

        return self._db.write(op)

    def delete_run(self, run_id: str) -> None:
        """Soft-delete a run (sets ``deleted_time``)."""
        check_no_nul("run_id", run_id)

        def op(conn: Connection) -> None:
            runs = t.runs
            stage = run_row(conn, self._scope, run_id).lifecycle_stage
            if stage != DELETED:
                conn.execute(
                    runs.update()
                    .where(runs.c.run_id == run_id)
                    .values(lifecycle_stage=DELETED, deleted_time=now_ms())
                )

        self._db.write(op)

    def restore_run(self, run_id: str) -> None:
        """Restore a soft-deleted run."""
        check_no_nul("run_id", run_id)

        def op(conn: Connection) -> None:
            runs = t.runs
            run_row(conn, self._scope, run_id)
            conn.execute(
                runs.update()
                .where(runs.c.run_id == run_id)
                .values(lifecycle_stage=ACTIVE, deleted_time=None)
            )

        self._db.write(op)

    def get_metric_history(
        self,
        run_id: str,
        key: str,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> PagedList[Metric]:
        """All points of one metric, ordered by step, then timestamp, paged by offset token."""
        check_no_nul("run_id", run_id)
        check_no_nul("metric_key", key)
        if max_results is not None:
            validate_max_results(max_results, 2**31 - 1)

        def op(conn: Connection) -> PagedList[Metric]:
            run_row(conn, self._scope, run_id)
            return metric_ops.history(conn, run_id, key, max_results, page_token)

        return self._db.read(op)

    def get_metric_history_bulk_interval(
        self,
        run_ids: Sequence[str],
        key: str,
        max_results: int = BULK_MAX_RESULTS,
        start_step: int | None = None,
        end_step: int | None = None,
    ) -> list[Metric]:
        """Sampled history of one metric over several runs (MLflow's bulk-interval rules)."""
        ids = list(run_ids)
        check_no_nul("run_ids", ids)
        check_no_nul("metric_key", key)
        if not ids:
            raise InvalidArgumentError(
                "GetMetricHistoryBulkInterval request must specify at least one run_id."
            )
        if len(ids) > BULK_MAX_RUNS:
            raise InvalidArgumentError(
                f"GetMetricHistoryBulkInterval request cannot specify more than {BULK_MAX_RUNS}"
                f" run_ids. Received {len(ids)} run_ids."
            )
        if (
            isinstance(max_results, bool)
            or not isinstance(max_results, int)
            or not 1 <= max_results <= BULK_MAX_RESULTS
        ):
            raise InvalidArgumentError(f"max_results must be between 1 and {BULK_MAX_RESULTS}.")
        if (start_step is None) != (end_step is None):
            raise InvalidArgumentError(
                "If either start step or end step are specified, both must be specified."
            )
        if start_step is not None and end_step is not None and start_step > end_step:
            raise InvalidArgumentError("end_step must be greater than start_step. ")
        if not key:
            raise InvalidArgumentError("Missing value for required parameter 'metric_key'.")
        return self._db.read(
            lambda conn: metric_ops.sample_bulk_interval(
                conn, self._scope, ids, key, max_results, start_step, end_step
            )
        )

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        run_view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[Run]:
        """Runs matching the MLflow filter grammar; default order start_time DESC, run_id."""
        args = (experiment_ids, filter_string, run_view_type, max_results, order_by, page_token)
        return self._search(load_runs, *args)

    def search_runs_wire(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        run_view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[dict[str, Any]]:
        """:meth:`search_runs` as MLflow ``Run`` messages built straight from the rows."""
        from ardea.store.sql.tracking.run_wire import load_runs_wire

        args = (experiment_ids, filter_string, run_view_type, max_results, order_by, page_token)
        return self._search(load_runs_wire, *args)

    def _search(
        self,
        loader: Callable[[Connection, WorkspaceScope, list[str]], list[T]],
        experiment_ids: Sequence[str],
        filter_string: str | None,
        run_view_type: ViewType,
        max_results: int,
        order_by: Sequence[str],
        page_token: str | None,
    ) -> PagedList[T]:
        from ardea.store.search import parse_run_filter, parse_run_order_by
        from ardea.store.sql.tracking.search import select_run_ids

        validate_max_results(max_results, SEARCH_MAX_RESULTS_LIMIT)
        clauses = parse_run_filter(filter_string)
        orders = parse_run_order_by(list(order_by or ()))
        offset = offset_from_token(page_token)
        exp_ids = [str(e) for e in experiment_ids]
        if not exp_ids:
            return PagedList([], None)
        query = select_run_ids(
            clauses,
            orders,
            exp_ids,
            view_type(run_view_type),
            dialect=self._db.dialect,
            scope=self._scope,
        )

        self._stats.maybe_refresh()

        def op(conn: Connection) -> PagedList[T]:
            page = query.offset(offset).limit(max_results + 1)
            ids = [r[0] for r in conn.execute(page)]
            token = None
            if len(ids) > max_results:
                ids = ids[:max_results]
                token = encode_page_token({"offset": offset + max_results})
            return PagedList(loader(conn, self._scope, ids), token)

        return self._db.search(op)
