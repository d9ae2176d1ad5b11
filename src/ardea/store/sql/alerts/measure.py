"""An alert rule's measure over its window: a few aggregate queries on the trace tables.

Each measure reads the experiment's traces with ``since <= request_time < until`` through
the ``(experiment_id, request_time)`` index and answers ``(value, samples)``; ``value`` is
None when the window holds no sample. Nothing but counts and sums leaves the database: the
p99 is read with one ``ORDER BY ... LIMIT 2 OFFSET k`` at its rank (linear interpolation, as
the trace metrics), so a window of 10^5 traces costs no transfer of durations.
"""

from __future__ import annotations

import math

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.metrics import assessment_verdict

__all__ = ["DAY_MS", "measure"]

DAY_MS = 86_400_000
"""Milliseconds in a day (cost per day scales the window's cost by ``DAY_MS / window``)."""

_T = t.traces.c
_A = t.assessments.c


def _window(experiment_id: int, since: int, until: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        _T.experiment_id == experiment_id, _T.request_time >= since, _T.request_time < until
    )


def _pass_rate(
    conn: Connection, experiment_id: int, judge: str, since: int, until: int
) -> tuple[float | None, int]:
    query = (
        sa.select(_A.value, sa.func.count())
        .select_from(t.assessments.join(t.traces, _A.trace_id == _T.trace_id))
        .where(
            _window(experiment_id, since, until),
            _A.name == judge,
            _A.kind == "feedback",
            _A.valid == sa.true(),
        )
        .group_by(_A.value)
    )
    passed = verdicts = 0
    for raw, count in conn.execute(query):
        verdict = assessment_verdict(raw)
        if isinstance(verdict, bool):
            verdicts += int(count)
            passed += int(count) if verdict else 0
    return (passed / verdicts if verdicts else None), verdicts


def _error_rate(
    conn: Connection, experiment_id: int, since: int, until: int
) -> tuple[float | None, int]:
    query = sa.select(
        sa.func.count(), sa.func.sum(sa.case((_T.state == "ERROR", 1), else_=0))
    ).where(_window(experiment_id, since, until), _T.state.in_(("OK", "ERROR")))
    count, errors = conn.execute(query).one()
    n = int(count or 0)
    return (int(errors or 0) / n if n else None), n


def _latency_p99(
    conn: Connection, experiment_id: int, since: int, until: int
) -> tuple[float | None, int]:
    where = sa.and_(_window(experiment_id, since, until), _T.execution_duration.is_not(None))
    n = int(conn.execute(sa.select(sa.func.count()).where(where)).scalar_one() or 0)
    if not n:
        return None, 0
    pos = (n - 1) * 0.99
    low = math.floor(pos)
    query = (
        sa.select(_T.execution_duration)
        .where(where)
        .order_by(_T.execution_duration)
        .limit(2)
        .offset(low)
    )
    values = [float(v) for v in conn.execute(query).scalars()]
    if len(values) == 1:
        return values[0], n
    return values[0] + (values[1] - values[0]) * (pos - low), n


def _cost_per_day(
    conn: Connection, experiment_id: int, since: int, until: int
) -> tuple[float | None, int]:
    query = sa.select(sa.func.count(), sa.func.sum(_T.cost)).where(
        _window(experiment_id, since, until)
    )
    count, cost = conn.execute(query).one()
    n = int(count or 0)
    return (float(cost or 0.0) * DAY_MS / max(1, until - since) if n else None), n


def measure(
    conn: Connection,
    kind: str,
    experiment_id: int,
    since: int,
    until: int,
    judge: str | None = None,
) -> tuple[float | None, int]:
    """The measure of a rule of ``kind`` over ``[since, until)``: ``(value, samples)``.

    Samples are verdicts (pass rate), ended traces (error rate), traces with a duration
    (p99) or traces (cost). Error rates count traces that ended (OK or ERROR) only.
    """
    if kind == "pass_rate_below":
        return _pass_rate(conn, experiment_id, judge or "", since, until)
    if kind == "error_rate_above":
        return _error_rate(conn, experiment_id, since, until)
    if kind == "latency_p99_above":
        return _latency_p99(conn, experiment_id, since, until)
    return _cost_per_day(conn, experiment_id, since, until)
