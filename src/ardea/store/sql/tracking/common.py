"""Helpers shared by the SQL tracking modules (and the trace store, for experiment ids).

Metric value encoding, experiment id and view type parsing, and the row checks of writes.
"""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import LifecycleStage, ViewType
from ardea.store.sql.tracking import tables as t

__all__ = [
    "MAX_DOUBLE",
    "decode_value",
    "encode_value",
    "experiment_for_write",
    "parse_experiment_id",
    "run_for_write",
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


# Statements on hot write paths are built once: building a Select costs more than running it.
_RUN_FOR_WRITE = sa.select(t.runs.c.run_id, t.runs.c.experiment_id, t.runs.c.lifecycle_stage).where(
    t.runs.c.run_id == sa.bindparam("run_id")
)
_EXPERIMENT_FOR_WRITE = sa.select(t.experiments).where(
    t.experiments.c.experiment_id == sa.bindparam("experiment_id")
)


def run_for_write(conn: Connection, run_id: str) -> sa.Row[str, int, str]:
    """The run's ``(run_id, experiment_id, lifecycle_stage)``, checked to exist and be active.

    Call it inside the write transaction.
    """
    row = conn.execute(_RUN_FOR_WRITE, {"run_id": run_id}).first()
    if row is None:
        raise NotFoundError(f"Run with id={run_id} not found")
    if row.lifecycle_stage != LifecycleStage.ACTIVE.value:
        raise InvalidArgumentError(
            f"The run {run_id} must be in the 'active' state. "
            f"Current state is {row.lifecycle_stage}."
        )
    return row


def experiment_for_write(conn: Connection, experiment_id: int, *, active: bool) -> sa.Row[Any]:
    """The experiment row; NotFoundError if missing, and if ``active`` it must be active."""
    row = conn.execute(_EXPERIMENT_FOR_WRITE, {"experiment_id": experiment_id}).first()
    if row is None:
        raise NotFoundError(f"No Experiment with id={experiment_id} exists")
    if active and row.lifecycle_stage != LifecycleStage.ACTIVE.value:
        raise InvalidArgumentError(
            f"The experiment {experiment_id} must be in the 'active' state. "
            f"Current state is {row.lifecycle_stage}."
        )
    return row
