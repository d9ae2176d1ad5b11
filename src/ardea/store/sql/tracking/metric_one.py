"""One metric point on PostgreSQL in one statement (the ``log-metric`` hot path).

The transactional path (:meth:`SqlRunLogging._log_op`) reads the run, reads the series id,
then writes the point and the latest value: three statements between ``BEGIN`` and ``COMMIT``,
five round trips. Here the run check, the series lookup (or creation), the history row and
the latest-value upsert are one statement with data-modifying CTEs, committed on its own: one
round trip. The statement is idempotent (the point is keyed by all its columns, the latest
value only moves forward), so running it again, or the transactional path after it, is safe.

It reports what the transactional path needs to answer: the run's lifecycle stage (None: no
such run in the workspace, nothing written) and whether the point was written (False with an
active run: a concurrent writer created the series meanwhile; the caller falls back).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ardea.entities import Metric
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.tracking.common import encode_value
from ardea.store.sql.tracking.metrics import latest_upsert_sql

__all__ = ["OneMetric", "one_metric_params", "one_metric_sql"]


class OneMetric(NamedTuple):
    """What :func:`one_metric_sql` returns: the run's lifecycle stage and whether it wrote."""

    lifecycle_stage: str | None
    written: bool


def one_metric_sql(scope: WorkspaceScope) -> str:
    """The statement for ``scope`` (cached per scope: its text never changes)."""

    def build() -> str:
        owned = scope.sql_owns_experiment("runs.experiment_id")
        source = (
            "SELECT %(run)s::text, %(key)s::text, %(value)s::float8, %(ts)s::bigint, "
            "%(step)s::bigint, %(nan)s::bool FROM series"
        )
        return (
            "WITH run AS (SELECT lifecycle_stage FROM runs WHERE run_id = %(run)s::text "
            f"AND {owned}), "
            "ok AS (SELECT 1 FROM run WHERE lifecycle_stage = 'active'), "
            "found AS (SELECT series_id FROM metric_series "
            'WHERE run_id = %(run)s::text AND "key" = %(key)s::text), '
            'created AS (INSERT INTO metric_series (run_id, "key") '
            "SELECT %(run)s::text, %(key)s::text FROM ok WHERE NOT EXISTS (SELECT 1 FROM found) "
            "ON CONFLICT DO NOTHING RETURNING series_id), "
            "series AS (SELECT series_id FROM found WHERE EXISTS (SELECT 1 FROM ok) "
            "UNION ALL SELECT series_id FROM created), "
            'history AS (INSERT INTO metrics (series_id, step, "timestamp", value, is_nan) '
            "SELECT series_id, %(step)s::bigint, %(ts)s::bigint, %(value)s::float8, "
            "%(nan)s::bool FROM series ON CONFLICT DO NOTHING), "
            f"latest AS ({latest_upsert_sql(source)}) "
            "SELECT (SELECT lifecycle_stage FROM run), EXISTS (SELECT 1 FROM series)"
        )

    return scope.cached(("tracking", "one_metric"), build)


def one_metric_params(run_id: str, metric: Metric) -> dict[str, Any]:
    """The statement's parameters for one point (NaN and infinities encoded as stored)."""
    value, is_nan = encode_value(metric.value)
    return {
        "run": run_id,
        "key": metric.key,
        "value": value,
        "ts": int(metric.timestamp),
        "step": int(metric.step or 0),
        "nan": is_nan,
    }
