"""Helpers shared by the SQL tracking modules (and the trace store, for experiment ids).

Metric value encoding, experiment id and view type parsing, and the row checks of writes.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import LifecycleStage, ViewType
from ardea.store.sql._db.common import raw_cursor
from ardea.store.sql._db.scope import WorkspaceScope

__all__ = [
    "MAX_DOUBLE",
    "decode_value",
    "encode_value",
    "experiment_for_write",
    "parse_experiment_id",
    "RunRow",
    "require_active_run",
    "run_for_write",
    "run_row",
    "view_type",
]

MAX_DOUBLE = 1.7976931348623157e308


def encode_value(value: float) -> tuple[float, bool]:
    """A metric value as stored: ``(value, is_nan)``; NaN is 0, infinities are clamped."""
    value = float(value)
    if math.isnan(value):
        return 0.0, True
    if math.isinf(value):
        return (MAX_DOUBLE if value > 0 else -MAX_DOUBLE), False
    return value, False


def decode_value(value: float, is_nan: bool) -> float:
    """The value a caller sees for a stored metric."""
    return math.nan if is_nan else float(value)


def parse_experiment_id(experiment_id: object) -> int:
    """The integer id of an experiment id string; NotFoundError if it cannot exist here."""
    if isinstance(experiment_id, bool) or not isinstance(experiment_id, (int, str)):
        raise InvalidArgumentError(f"Invalid experiment ID: '{experiment_id}'")
    if experiment_id == "":
        raise InvalidArgumentError("Missing value for required parameter 'experiment_id'.")
    try:
        number = int(experiment_id)
    except ValueError:
        number = None
    if number is None or not 0 <= number < 2**31:  # no row can have it
        raise NotFoundError(f"No Experiment with id={experiment_id} exists")
    return number


def view_type(value: object) -> ViewType:
    """A ViewType from an enum, its name (any case) or MLflow's number (1, 2, 3)."""
    if isinstance(value, ViewType):
        return value
    by_number = {1: ViewType.ACTIVE_ONLY, 2: ViewType.DELETED_ONLY, 3: ViewType.ALL}
    if isinstance(value, int) and not isinstance(value, bool) and value in by_number:
        return by_number[value]
    if isinstance(value, str) and value.upper() in ViewType.__members__:
        return ViewType[value.upper()]
    raise InvalidArgumentError(
        f"Invalid view type {value!r}: expected ACTIVE_ONLY, DELETED_ONLY or ALL"
    )


class RunRow(NamedTuple):
    """A run's id, experiment and lifecycle stage (what writes to a run check)."""

    run_id: str
    experiment_id: int
    lifecycle_stage: str


def _run_row_sql(scope: WorkspaceScope, mark: str) -> str:
    # Hot path (every log call): plain SQL on the DBAPI cursor costs a fraction of a compiled
    # Core select, and the workspace check rides along in it (one primary-key probe on
    # experiments, no round trip).
    owned = scope.sql_owns_experiment("runs.experiment_id")
    return (
        f"SELECT run_id, experiment_id, lifecycle_stage FROM runs WHERE run_id = {mark} AND {owned}"
    )


def run_row(conn: Connection, scope: WorkspaceScope, run_id: str) -> RunRow:
    """The run's ``(run_id, experiment_id, lifecycle_stage)`` in ``scope``; NotFoundError if none.

    A run of another workspace is not found.
    """
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = scope.cached(("tracking", "run_row", mark), lambda: _run_row_sql(scope, mark))
    cursor = raw_cursor(conn)
    try:
        cursor.execute(sql, (run_id,))
        found = cursor.fetchone()
    finally:
        cursor.close()
    if found is None:
        raise NotFoundError(f"Run with id={run_id} not found")
    return RunRow(*found)


def run_for_write(conn: Connection, scope: WorkspaceScope, run_id: str) -> RunRow:
    """The run's ``(run_id, experiment_id, lifecycle_stage)``, checked to exist and be active.

    Call it inside the write transaction. A run of another workspace is not found.
    """
    row = run_row(conn, scope, run_id)
    require_active_run(run_id, row.lifecycle_stage)
    return row


def require_active_run(run_id: str, lifecycle_stage: str) -> None:
    """InvalidArgumentError (MLflow's message) unless the run's stage is ``active``."""
    if lifecycle_stage != LifecycleStage.ACTIVE.value:
        raise InvalidArgumentError(
            f"The run {run_id} must be in the 'active' state. Current state is {lifecycle_stage}."
        )


def experiment_for_write(
    conn: Connection, scope: WorkspaceScope, experiment_id: int, *, active: bool
) -> sa.Row[Any]:
    """The experiment row; NotFoundError if missing (or in another workspace).

    With ``active``, it must be active (InvalidArgumentError otherwise).
    """
    row = scope.experiment_row(conn, experiment_id)
    if active and row.lifecycle_stage != LifecycleStage.ACTIVE.value:
        raise InvalidArgumentError(
            f"The experiment {experiment_id} must be in the 'active' state. "
            f"Current state is {row.lifecycle_stage}."
        )
    return row
