"""Differential property test: compiled SQL searches agree with a plain-Python oracle.

Random ``search_runs`` filters and orders (values drawn from small pools so that clauses
match some runs and not others) are executed on SQLite (and PostgreSQL when configured) and
compared, ids and order, with a straightforward evaluation of MLflow's semantics in Python.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ardea.entities.experiment import ViewType
from ardea.store.search import Clause, OrderBy
from ardea.store.search.like import like_to_regex
from ardea.store.sql._db import filters
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.search import select_run_ids

STRINGS = ["a", "A", "ab", "b", "a%", "a_b", "%", "x"]
PATTERNS = ["a%", "A%", "%b", "_", "a_", "%", "a\\%", "a\\_b", "%B%", "x"]
NUMBERS = [-1.0, 0.0, 0.5, 2.0]


@dataclass
class FakeRun:
    run_id: str
    start_time: int
    end_time: int | None
    status: str
    user_id: str
    run_name: str
    metrics: dict[str, float] = field(default_factory=dict)  # NaN allowed
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    inputs: list[tuple[str, str, str | None]] = field(default_factory=list)  # name, digest, ctx


NAN = math.nan
RUNS = [
    FakeRun("r0", 5, 9, "FINISHED", "a", "a", {"m": 0.5}, {"p": "a"}, {"t": "A"}),
    FakeRun("r1", 5, None, "RUNNING", "A", "ab", {"m": NAN}, {"p": "ab"}, {"t": "a%"}),
    FakeRun("r2", 3, 4, "FAILED", "b", "a%", {"m": 2.0, "n": 1.0}, {}, {"t": "a_b"}),
    FakeRun("r3", 7, 8, "FINISHED", "ab", "a_b", {}, {"p": "b", "q": "x"}, {}),
    FakeRun("r4", 1, 2, "KILLED", "x", "x", {"m": -1.0}, {"p": "%"}, {"t": "x", "u": "a"}),
    FakeRun("r5", 7, None, "FINISHED", "a", "A", {"n": NAN}, {"q": "a"}, {"u": "b"}),
]
RUNS[0].inputs = [("a", "d1", "x"), ("ab", "d2", None)]
RUNS[2].inputs = [("b", "d3", "a")]
RUNS[4].inputs = [("a", "d1", "A")]
DATASETS = {("a", "d1"): "ds1", ("ab", "d2"): "ds2", ("b", "d3"): "ds3"}


def _fill(connection: sa.Connection) -> None:
    t.metadata.create_all(connection)
    connection.execute(
        t.experiments.insert(),
        [{"experiment_id": 1, "name": "e", "artifact_location": "x", "lifecycle_stage": "active",
          "creation_time": 0, "last_update_time": 0}],
    )  # fmt: skip
    for run in RUNS:
        connection.execute(
            t.runs.insert(),
            {"run_id": run.run_id, "experiment_id": 1, "run_name": run.run_name,
             "user_id": run.user_id, "status": run.status, "start_time": run.start_time,
             "end_time": run.end_time, "artifact_uri": "x", "lifecycle_stage": "active"},
        )  # fmt: skip
        for key, value in run.metrics.items():
            nan = math.isnan(value)
            connection.execute(
                t.latest_metrics.insert(),
                {"run_id": run.run_id, "key": key, "value": 0.0 if nan else value,
                 "timestamp": 0, "step": 0, "is_nan": nan},
            )  # fmt: skip
        for table, values in ((t.params, run.params), (t.run_tags, run.tags)):
            for key, value in values.items():
                connection.execute(
                    table.insert(), {"run_id": run.run_id, "key": key, "value": value}
                )
    for (name, digest), dataset_id in DATASETS.items():
        connection.execute(
            t.datasets.insert(),
            {"dataset_id": dataset_id, "experiment_id": 1, "name": name, "digest": digest,
             "source_type": "local", "source": "{}"},
        )  # fmt: skip
    for run in RUNS:
        for name, digest, context in run.inputs:
            connection.execute(
                t.run_inputs.insert(),
                {"run_id": run.run_id, "dataset_id": DATASETS[(name, digest)], "context": context},
            )


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def conn(request: pytest.FixtureRequest) -> Iterator[sa.Connection]:
    if request.param == "sqlite":
        engine = sa.create_engine("sqlite://")
        with engine.connect() as connection:
            _fill(connection)
            connection.commit()
            yield connection
        engine.dispose()
        return
    engine = sa.create_engine(request.getfixturevalue("postgres_uri"))
    schema = f"search_prop_{uuid.uuid4().hex[:12]}"
    with engine.connect() as raw:
        raw.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        raw.commit()
        connection = raw.execution_options(schema_translate_map={None: schema})
        try:
            _fill(connection)
            connection.commit()
            yield connection
        finally:
            raw.rollback()
            raw.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            raw.commit()
    engine.dispose()


# ------------------------------------------------------------------------------- the oracle


def _compare(left: Any, comparator: str, right: Any) -> bool:
    if left is None:
        return False
    if comparator == "LIKE":
        return like_to_regex(right).fullmatch(left) is not None
    if comparator == "ILIKE":
        return like_to_regex(right, case_sensitive=False).fullmatch(left) is not None
    if comparator == "IN":
        return left in right
    if comparator == "NOT IN":
        return left not in right
    return {
        "=": left == right,
        "!=": left != right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[comparator]


def _matches(run: FakeRun, clause: Clause) -> bool:
    op, value = clause.comparator, clause.value
    if clause.entity == "attribute":
        return _compare(getattr(run, clause.key), op, value)
    if clause.entity == "metric":
        if clause.key not in run.metrics:
            return False
        metric = run.metrics[clause.key]
        return op == "!=" if math.isnan(metric) else _compare(metric, op, value)
    if clause.entity in ("param", "tag"):
        values = run.params if clause.entity == "param" else run.tags
        if op == "IS NULL":
            return clause.key not in values
        if op == "IS NOT NULL":
            return clause.key in values
        return _compare(values.get(clause.key), op, value)
    index = {"name": 0, "digest": 1, "context": 2}[clause.key]
    return any(_compare(item[index], op, value) for item in run.inputs)


def _sort_key(run: FakeRun, order_by: list[OrderBy]) -> tuple[Any, ...]:
    parts: list[Any] = []
    for item in order_by:
        if item.entity == "metric":
            metric = run.metrics.get(item.key)
            rank = 2 if metric is None else 1 if math.isnan(metric) else 0
            number = 0.0 if rank else float(metric)  # type: ignore[arg-type]
            parts += [rank, number if item.ascending else -number]
        else:
            if item.entity == "attribute":
                raw = getattr(run, item.key)
            else:
                raw = (run.params if item.entity == "param" else run.tags).get(item.key)
            parts.append(raw is None)
            parts.append(_Ordered(raw, item.ascending))
    if not any(o.entity == "attribute" and o.key == "start_time" for o in order_by):
        parts.append(-run.start_time)
    parts.append(run.run_id)
    return tuple(parts)


@dataclass
class _Ordered:
    """Orders any comparable value (None equal to itself), ascending or descending."""

    value: Any
    ascending: bool

    def __lt__(self, other: _Ordered) -> bool:
        if self.value is None or other.value is None or self.value == other.value:
            return False
        return (self.value < other.value) is self.ascending

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ordered) and self.value == other.value


# ------------------------------------------------------------------------------ strategies

_QUOTABLE_KEYS = st.sampled_from(["m", "n", "p", "q", "t", "u", "zz"])


@st.composite
def _clauses(draw: st.DrawFn) -> Clause:
    entity = draw(st.sampled_from(["metric", "param", "tag", "attribute", "dataset"]))
    if entity == "metric":
        op = draw(st.sampled_from(["=", "!=", ">", ">=", "<", "<="]))
        key = draw(st.sampled_from(["m", "n", "zz"]))
        return Clause("metric", key, op, draw(st.sampled_from(NUMBERS)))
    if entity in ("param", "tag"):
        op = draw(st.sampled_from(["=", "!=", "LIKE", "ILIKE", "IS NULL", "IS NOT NULL"]))
        value = None if "NULL" in op else draw(_string_for(op))
        return Clause(entity, draw(_QUOTABLE_KEYS), op, value)  # type: ignore[arg-type]
    if entity == "dataset":
        op = draw(st.sampled_from(["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"]))
        key = draw(st.sampled_from(["name", "digest", "context"]))
        return Clause("dataset", key, op, draw(_string_for(op)))  # type: ignore[arg-type]
    key = draw(
        st.sampled_from(["run_id", "run_name", "user_id", "status", "start_time", "end_time"])
    )
    if key in ("start_time", "end_time"):
        op = draw(st.sampled_from(["=", "!=", ">", ">=", "<", "<="]))
        return Clause("attribute", key, op, draw(st.integers(0, 10)))  # type: ignore[arg-type]
    ops = ["=", "!=", "LIKE", "ILIKE"] + (["IN", "NOT IN"] if key == "run_id" else [])
    op = draw(st.sampled_from(ops))
    return Clause("attribute", key, op, draw(_string_for(op, key)))  # type: ignore[arg-type]


@st.composite
def _string_for(draw: st.DrawFn, op: str, key: str = "") -> str | tuple[str, ...]:
    pool = [r.run_id for r in RUNS] if key == "run_id" else [*STRINGS, "FINISHED", "d1"]
    if op in ("IN", "NOT IN"):
        return tuple(draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3)))
    if op in ("LIKE", "ILIKE"):
        return draw(st.sampled_from([*PATTERNS, "FINI%", "r_"]))
    return draw(st.sampled_from(pool))


_ORDERS = st.lists(
    st.sampled_from(
        [OrderBy(e, k, a) for e, k in [("metric", "m"), ("metric", "n"), ("param", "p"),
         ("tag", "u"), ("attribute", "start_time"), ("attribute", "end_time"),
         ("attribute", "status")] for a in (True, False)]
    ),
    max_size=3,
    unique_by=lambda o: (o.entity, o.key),
)  # fmt: skip


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_clauses(), max_size=3), _ORDERS)
def test_sql_agrees_with_oracle(
    conn: sa.Connection, clauses: list[Clause], order_by: list[OrderBy]
) -> None:
    stmt = select_run_ids(clauses, order_by, ["1"], ViewType.ACTIVE_ONLY, conn.dialect.name)
    got = list(conn.execute(stmt).scalars())
    matching = [run for run in RUNS if all(_matches(run, c) for c in clauses)]
    expected = [run.run_id for run in sorted(matching, key=lambda r: _sort_key(r, order_by))]
    assert got == expected


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_clauses(), min_size=2, max_size=12), _ORDERS)
def test_long_filters_grouped_per_table_agree_with_oracle(
    conn: sa.Connection, clauses: list[Clause], order_by: list[OrderBy]
) -> None:
    """Past ``group_above`` child clauses, each child table gets one subquery: same answers."""
    dialect = conn.dialect.name
    with mock.patch.dict(filters.GROUP_ABOVE, {dialect: 0}):
        stmt = select_run_ids(clauses, order_by, ["1"], ViewType.ACTIVE_ONLY, dialect)
    got = list(conn.execute(stmt).scalars())
    matching = [run for run in RUNS if all(_matches(run, c) for c in clauses)]
    expected = [run.run_id for run in sorted(matching, key=lambda r: _sort_key(r, order_by))]
    assert got == expected
