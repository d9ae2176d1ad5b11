"""Experiments in the SQL tracking store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)
from ardea._core.ids import now_ms
from ardea.entities import Experiment, LifecycleStage, PagedList, ViewType
from ardea.store.artifacts.resolve import absolute_location
from ardea.store.search.paging import encode_page_token, offset_from_token
from ardea.store.sql._db.common import upsert
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.maintenance import StatsRefresher
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.common import experiment_for_write, parse_experiment_id
from ardea.store.sql.tracking.common import view_type as _view_type
from ardea.store.sql.tracking.loaders import load_experiments
from ardea.store.tracking import SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_LIMIT
from ardea.store.validation import (
    check_no_nul,
    validate_artifact_location,
    validate_experiment_name,
    validate_experiment_tag,
    validate_max_results,
)

__all__ = ["SqlExperiments", "insert_default_experiment"]

ACTIVE = LifecycleStage.ACTIVE.value
DELETED = LifecycleStage.DELETED.value
DEFAULT_EXPERIMENT_NAME = "Default"


def _is_unique_violation(exc: sa.exc.IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate" in text


def insert_default_experiment(conn: Connection, artifact_root: str) -> None:
    """Create the "Default" experiment (id 0, workspace ``default``) unless it already exists."""
    ex = DEFAULT_SCOPE.experiments
    if conn.execute(sa.select(ex.c.experiment_id).where(ex.c.experiment_id == 0)).first():
        return
    if conn.dialect.name == "mysql":
        conn.execute(sa.text("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')"))
    now = now_ms()
    conn.execute(
        DEFAULT_SCOPE.insert("experiments").values(
            experiment_id=0,
            name=DEFAULT_EXPERIMENT_NAME,
            artifact_location=f"{artifact_root.rstrip('/')}/0",
            lifecycle_stage=ACTIVE,
            creation_time=now,
            last_update_time=now,
        )
    )


class SqlExperiments:
    """The ExperimentStore half of :class:`SqlTrackingStore`."""

    _db: Database
    _stats: StatsRefresher
    _artifact_root: str
    _scope: WorkspaceScope

    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Sequence[tuple[str, str]] = (),
    ) -> str:
        """Create an experiment and return its id; AlreadyExistsError if the name is taken."""
        validate_experiment_name(name)
        tag_list = [(k, v) for k, v in (tags.items() if isinstance(tags, dict) else tags)]
        for k, v in tag_list:
            validate_experiment_tag(k, v)
        if artifact_location is not None:
            validate_artifact_location(artifact_location)
            # A relative folder is made absolute against the working directory (MLflow's rule).
            artifact_location = absolute_location(artifact_location) if artifact_location else ""
        root = self._artifact_root.rstrip("/")

        scope = self._scope

        def op(conn: Connection) -> int:
            now = now_ms()
            try:
                with conn.begin_nested():
                    new_id = conn.execute(
                        scope.insert("experiments").values(
                            name=name,
                            artifact_location=artifact_location or "",
                            lifecycle_stage=ACTIVE,
                            creation_time=now,
                            last_update_time=now,
                        )
                    ).inserted_primary_key[0]  # type: ignore[index]  # never None for an INSERT
            except sa.exc.IntegrityError as exc:
                if _is_unique_violation(exc):
                    raise AlreadyExistsError(f"Experiment(name={name}) already exists.") from None
                raise
            if not artifact_location:
                conn.execute(
                    scope.update("experiments", experiment_id=new_id).values(
                        artifact_location=f"{root}/{new_id}"
                    )
                )
            if tag_list:
                upsert(
                    conn,
                    t.experiment_tags,
                    [
                        {"experiment_id": new_id, "key": k, "value": v}
                        for k, v in dict(tag_list).items()
                    ],
                    ("experiment_id", "key"),
                    ("value",),
                )
            return int(new_id)

        return str(self._db.write(op))

    def get_experiment(self, experiment_id: str) -> Experiment:
        """The experiment with this id (active or deleted)."""
        eid = parse_experiment_id(experiment_id)
        found = self._db.read(lambda conn: load_experiments(conn, self._scope, [eid]))
        if not found:
            raise NotFoundError(f"No Experiment with id={experiment_id} exists")
        return found[0]

    def get_experiment_by_name(self, name: str) -> Experiment:
        """The experiment with this name (active or deleted)."""
        check_no_nul("experiment_name", name)
        ex = self._scope.experiments

        def op(conn: Connection) -> list[Experiment]:
            eid = conn.execute(sa.select(ex.c.experiment_id).where(ex.c.name == name)).scalar()
            return load_experiments(conn, self._scope, [eid]) if eid is not None else []

        found = self._db.read(op)
        if not found:
            raise NotFoundError(f"Could not find experiment with name '{name}'")
        return found[0]

    def search_experiments(
        self,
        view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        """Experiments matching the MLflow filter grammar, ordered and paged."""
        from ardea.store.search import parse_experiment_filter, parse_experiment_order_by
        from ardea.store.sql.tracking.search import select_experiment_ids

        validate_max_results(max_results, SEARCH_MAX_RESULTS_LIMIT)
        clauses = parse_experiment_filter(filter_string)
        orders = parse_experiment_order_by(list(order_by or ()))
        offset = offset_from_token(page_token)
        query = select_experiment_ids(
            clauses, orders, _view_type(view_type), dialect=self._db.dialect, scope=self._scope
        )

        self._stats.maybe_refresh()

        def op(conn: Connection) -> PagedList[Experiment]:
            page = query.offset(offset).limit(max_results + 1)
            ids = [int(r[0]) for r in conn.execute(page)]
            token = None
            if len(ids) > max_results:
                ids = ids[:max_results]
                token = encode_page_token({"offset": offset + max_results})
            return PagedList(load_experiments(conn, self._scope, ids), token)

        return self._db.search(op)

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        """Rename an active experiment."""
        validate_experiment_name(new_name)
        eid = parse_experiment_id(experiment_id)

        def op(conn: Connection) -> None:
            row = experiment_for_write(conn, self._scope, eid, active=False)
            if row.lifecycle_stage != ACTIVE:
                raise FailedPreconditionError("Cannot rename a non-active experiment.")
            try:
                with conn.begin_nested():
                    conn.execute(
                        self._scope.update("experiments", experiment_id=eid).values(
                            name=new_name, last_update_time=now_ms()
                        )
                    )
            except sa.exc.IntegrityError as exc:
                if _is_unique_violation(exc):
                    raise AlreadyExistsError(
                        f"Experiment(name={new_name}) already exists."
                    ) from None
                raise

        self._db.write(op)

    def delete_experiment(self, experiment_id: str) -> None:
        """Soft-delete an experiment and its active runs (they share one deletion time)."""
        eid = parse_experiment_id(experiment_id)
        if eid == 0:
            raise InvalidArgumentError(
                "Cannot delete the default experiment '0'. This is an internally reserved "
                "experiment."
            )

        def op(conn: Connection) -> None:
            row = experiment_for_write(conn, self._scope, eid, active=False)
            if row.lifecycle_stage != ACTIVE:
                raise NotFoundError(f"No Experiment with id={experiment_id} exists")
            runs = t.runs
            # Strictly after every earlier run deletion, so that restore (which brings back
            # the runs deleted at or after this time) never revives a run deleted on its own
            # in the same millisecond.
            latest = conn.execute(
                sa.select(sa.func.max(runs.c.deleted_time)).where(runs.c.experiment_id == eid)
            ).scalar()
            now = max(now_ms(), (latest or 0) + 1)
            conn.execute(
                self._scope.update("experiments", experiment_id=eid).values(
                    lifecycle_stage=DELETED, last_update_time=now
                )
            )
            conn.execute(
                runs.update()
                .where(runs.c.experiment_id == eid, runs.c.lifecycle_stage == ACTIVE)
                .values(lifecycle_stage=DELETED, deleted_time=now)
            )

        self._db.write(op)

    def restore_experiment(self, experiment_id: str) -> None:
        """Restore a soft-deleted experiment and the runs deleted with it."""
        eid = parse_experiment_id(experiment_id)

        def op(conn: Connection) -> None:
            row = experiment_for_write(conn, self._scope, eid, active=False)
            if row.lifecycle_stage != DELETED:
                raise NotFoundError(f"No deleted Experiment with id={experiment_id} exists")
            runs = t.runs
            conn.execute(
                runs.update()
                .where(
                    runs.c.experiment_id == eid,
                    runs.c.lifecycle_stage == DELETED,
                    runs.c.deleted_time >= row.last_update_time,
                )
                .values(lifecycle_stage=ACTIVE, deleted_time=None)
            )
            conn.execute(
                self._scope.update("experiments", experiment_id=eid).values(
                    lifecycle_stage=ACTIVE, last_update_time=now_ms()
                )
            )

        self._db.write(op)

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        """Set (or overwrite) an experiment tag."""
        validate_experiment_tag(key, value)
        eid = parse_experiment_id(experiment_id)

        def op(conn: Connection) -> None:
            experiment_for_write(conn, self._scope, eid, active=True)
            upsert(
                conn,
                t.experiment_tags,
                [{"experiment_id": eid, "key": key, "value": value}],
                ("experiment_id", "key"),
                ("value",),
            )

        self._db.write(op)

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """Delete an experiment tag; NotFoundError if it is not set."""
        check_no_nul("key", key)
        eid = parse_experiment_id(experiment_id)

        def op(conn: Connection) -> None:
            experiment_for_write(conn, self._scope, eid, active=True)
            tg = t.experiment_tags
            deleted: Any = conn.execute(
                tg.delete().where(tg.c.experiment_id == eid, tg.c.key == key)
            )
            if deleted.rowcount == 0:
                raise NotFoundError(
                    f"No tag with name: {key} in experiment with id {experiment_id}"
                )

        self._db.write(op)
