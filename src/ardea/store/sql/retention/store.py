"""The SQL trace retention store: policies in experiment tags and a workspace table.

An experiment's policy is its ``ardea.retention.*`` tags (MLflow clients see and copy them as
any tag); a workspace's is its row in ``trace_retention_policies``. The sweep's queries are in
``sweep.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core import extras
from ardea._core.errors import InvalidArgumentError
from ardea._core.ids import now_ms
from ardea.entities.retention import (
    ARCHIVE_TAG,
    MAX_AGE_DAYS_TAG,
    MAX_TRACES_TAG,
    RETENTION_TAGS,
    ExperimentRetention,
    RetentionPolicy,
    check_policy,
    policy_from_tags,
)
from ardea.store.retention import RetentionStore, RetentionTarget
from ardea.store.sql._db.common import upsert
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.retention import sweep
from ardea.store.sql.retention.tables import trace_retention_policies as _P
from ardea.store.sql.tracking.common import parse_experiment_id
from ardea.store.sql.tracking.tables import experiment_tags as _T

__all__ = ["SqlRetentionStore"]


def _checked(policy: RetentionPolicy) -> RetentionPolicy:
    if not isinstance(policy, RetentionPolicy):
        raise InvalidArgumentError("A retention policy is expected")
    checked = check_policy(policy.max_age_days, policy.max_traces, policy.archive)
    if checked.archive:  # refused now rather than failing every sweep
        extras.require("parquet", "A retention policy with archive: true needs", "pyarrow")
    return checked


class SqlRetentionStore(RetentionStore):
    """Trace retention in a SQL database.

    Args:
        database: The backend's shared database.
        scope: The workspace whose policies the get/set methods see; :meth:`plan` and
            :meth:`delete_due` work on every workspace.
    """

    def __init__(self, database: Database, scope: WorkspaceScope = DEFAULT_SCOPE) -> None:
        self._db = database
        self._scope = scope

    def _workspace_policy(self, conn: Connection) -> RetentionPolicy:
        row = conn.execute(
            sa.select(_P.c.max_age_days, _P.c.max_traces, _P.c.archive).where(
                _P.c.workspace == self._scope.name
            )
        ).first()
        if row is None:
            return RetentionPolicy()
        archive = None if row.archive is None else bool(row.archive)
        return RetentionPolicy(row.max_age_days, row.max_traces, archive)

    def _experiment(self, conn: Connection, experiment_id: str) -> ExperimentRetention:
        exp = parse_experiment_id(experiment_id)
        self._scope.experiment_row(conn, exp)  # NotFoundError outside this workspace
        rows = conn.execute(
            sa.select(_T.c.key, _T.c.value).where(
                _T.c.experiment_id == exp, _T.c.key.in_(RETENTION_TAGS)
            )
        )
        own = policy_from_tags({key: value for key, value in rows})
        return ExperimentRetention(str(exp), own, self._workspace_policy(conn))

    def get_experiment_retention(self, experiment_id: str) -> ExperimentRetention:
        """The experiment's policy, its workspace's, and the limits in force."""
        return self._db.read(lambda conn: self._experiment(conn, experiment_id))

    def set_experiment_retention(
        self, experiment_id: str, policy: RetentionPolicy
    ) -> ExperimentRetention:
        """Replace the experiment's own policy (its ``ardea.retention.*`` tags)."""
        policy = _checked(policy)
        exp = parse_experiment_id(experiment_id)

        def op(conn: Connection) -> ExperimentRetention:
            self._scope.experiment_row(conn, exp)
            archive = None if policy.archive is None else str(policy.archive).lower()
            values = {
                MAX_AGE_DAYS_TAG: policy.max_age_days,
                MAX_TRACES_TAG: policy.max_traces,
                ARCHIVE_TAG: archive,
            }
            gone = [key for key, value in values.items() if value is None]
            if gone:
                conn.execute(_T.delete().where(_T.c.experiment_id == exp, _T.c.key.in_(gone)))
            rows = [
                {"experiment_id": exp, "key": key, "value": str(value)}
                for key, value in values.items()
                if value is not None
            ]
            upsert(conn, _T, rows, ["experiment_id", "key"], ["value"])
            return self._experiment(conn, str(exp))

        return self._db.write(op)

    def get_workspace_retention(self) -> RetentionPolicy:
        """The policy of this store's workspace."""
        return self._db.read(self._workspace_policy)

    def set_workspace_retention(self, policy: RetentionPolicy) -> RetentionPolicy:
        """Replace the policy of this store's workspace (an empty one removes the row)."""
        policy = _checked(policy)
        name = self._scope.name

        def op(conn: Connection) -> RetentionPolicy:
            if policy.is_empty:
                conn.execute(_P.delete().where(_P.c.workspace == name))
            else:
                row = {
                    "workspace": name,
                    "max_age_days": policy.max_age_days,
                    "max_traces": policy.max_traces,
                    "archive": policy.archive,
                    "last_update_time": now_ms(),
                }
                upsert(conn, _P, [row], ["workspace"], list(row)[1:])
            return self._workspace_policy(conn)

        return self._db.write(op)

    def plan(self, now_ms: int) -> list[RetentionTarget]:
        """What is due in every workspace at ``now_ms``."""
        return self._db.read(lambda conn: sweep.plan_targets(conn, now_ms))

    def delete_due(self, target: RetentionTarget, limit: int) -> int:
        """Delete up to ``limit`` due traces of ``target`` in one transaction."""
        if limit < 1:
            raise InvalidArgumentError("limit must be at least 1")
        return self._db.write(lambda conn: sweep.delete_due_batch(conn, target, limit))

    def count_due(self, target: RetentionTarget) -> int:
        """How many of ``target``'s due traces are still stored."""
        return self._db.read(lambda conn: sweep.count_due(conn, target))

    def due_ids(self, target: RetentionTarget, limit: int) -> list[tuple[str, int]]:
        """Up to ``limit`` due traces, oldest first: ``(trace_id, request_time)``."""
        return self._db.read(lambda conn: sweep.due_rows(conn, target, limit))

    def archive_and_delete(
        self, target: RetentionTarget, rows: Sequence[tuple[str, int]], location: str
    ) -> int:
        """Record ``rows`` as archived at ``location`` and delete them, in one transaction."""
        return self._db.write(lambda conn: sweep.archive_rows(conn, target, rows, location))

    def archived_location(self, trace_id: str) -> str | None:
        """Where an archived trace of this workspace lives (None: not archived here)."""
        return self._db.read(lambda conn: sweep.archived_location(conn, self._scope, trace_id))
