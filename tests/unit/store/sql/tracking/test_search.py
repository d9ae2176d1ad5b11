"""Compiled searches run against real databases built from ``tables.metadata``.

SQLite always; PostgreSQL when ``ARDEA_TEST_POSTGRES_URI`` is set (each module run gets its
own schema, dropped afterwards). Every case asserts the exact ids and their order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from ardea._core.errors import InvalidArgumentError
from ardea.entities.experiment import ViewType
from ardea.store.search.parser import (
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_logged_model_filter,
    parse_logged_model_order_by,
    parse_run_filter,
    parse_run_order_by,
)
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.logged_model_search import select_logged_model_ids
from ardea.store.sql.tracking.search import (
    CaseSensitiveLike,
    parse_experiment_ids,
    select_experiment_ids,
    select_run_ids,
)


def _experiment(eid: int, name: str, stage: str, created: int, updated: int) -> dict[str, Any]:
    return {
        "experiment_id": eid,
        "name": name,
        "artifact_location": f"mlflow-artifacts:/{eid}",
        "lifecycle_stage": stage,
        "creation_time": created,
        "last_update_time": updated,
    }


def _run(
    rid: str, eid: int, name: str, user: str, status: str, start: int, end: int | None, stage: str
) -> dict[str, Any]:
    return {
        "run_id": rid,
        "experiment_id": eid,
        "run_name": name,
        "user_id": user,
        "status": status,
        "start_time": start,
        "end_time": end,
        "artifact_uri": f"mlflow-artifacts:/{eid}/{rid}/artifacts",
        "lifecycle_stage": stage,
    }


def _latest(rid: str, key: str, value: float | None) -> dict[str, Any]:
    nan = value is None
    return {
        "run_id": rid,
        "key": key,
        "value": 0.0 if nan else value,
        "timestamp": 1,
        "step": 0,
        "is_nan": nan,
    }


def _model(
    mid: str,
    eid: int,
    name: str,
    created: int,
    status: str,
    stage: str = "active",
    model_type: str | None = None,
    source_run_id: str | None = None,
) -> dict[str, Any]:
    return {
        "model_id": mid,
        "experiment_id": eid,
        "name": name,
        "artifact_location": f"mlflow-artifacts:/{eid}/models/{mid}/artifacts",
        "creation_timestamp": created,
        "last_updated_timestamp": created,
        "status": status,
        "lifecycle_stage": stage,
        "model_type": model_type,
        "source_run_id": source_run_id,
    }


_SERIES = {"r1": 1, "r2": 2}
"""The ``metric_series`` id of metric ``acc`` of each run."""


def _metric_point(
    rid: str, mid: str, step: int, ts: int, value: float, ds: str, digest: str
) -> dict[str, Any]:
    return {
        "series_id": _SERIES[rid],
        "step": step,
        "timestamp": ts,
        "value": value,
        "is_nan": False,
        "model_id": mid,
        "dataset_name": ds,
        "dataset_digest": digest,
    }


ROWS: list[tuple[sa.Table, list[dict[str, Any]]]] = [
    (
        t.experiments,
        [
            _experiment(1, "exp-a", "active", 100, 100),
            _experiment(2, "exp-B", "active", 200, 300),
            _experiment(3, "exp-c", "deleted", 200, 200),
            _experiment(4, "Exp-d", "active", 150, 150),
        ],
    ),
    (
        t.experiment_tags,
        [
            {"experiment_id": 1, "key": "team", "value": "ml"},
            {"experiment_id": 2, "key": "team", "value": "ML"},
            {"experiment_id": 2, "key": "note", "value": "x"},
        ],
    ),
    (
        t.runs,
        [
            _run("r1", 1, "alpha", "ann", "FINISHED", 10, 20, "active"),
            _run("r2", 1, "Beta", "bob", "RUNNING", 30, None, "active"),
            _run("r3", 1, "gamma_1", "ann", "FAILED", 20, 25, "active"),
            _run("r4", 1, "delta%", "bob", "FINISHED", 40, 50, "deleted"),
            _run("r5", 2, "eps", "ann", "FINISHED", 30, 35, "active"),
            _run("r6", 1, "x*[y]?", "carl", "KILLED", 5, 6, "active"),
            _run("r7", 1, "gammax1", "ann", "FINISHED", 20, 21, "active"),
        ],
    ),
    (
        t.latest_metrics,
        [
            _latest("r1", "acc", 0.5),
            _latest("r2", "acc", None),
            _latest("r3", "acc", 0.9),
            _latest("r4", "acc", 0.7),
            _latest("r5", "acc", 0.1),
            _latest("r6", "acc", -1.0),
            _latest("r1", "loss", 1.0),
        ],
    ),
    (
        t.params,
        [
            {"run_id": "r1", "key": "lr", "value": "0.1"},
            {"run_id": "r2", "key": "lr", "value": "0.01"},
            {"run_id": "r3", "key": "model", "value": "CNN"},
            {"run_id": "r7", "key": "lr", "value": "0.1"},
        ],
    ),
    (
        t.run_tags,
        [
            {"run_id": "r1", "key": "mlflow.user", "value": "ann"},
            {"run_id": "r2", "key": "team", "value": "Vision"},
            {"run_id": "r3", "key": "team", "value": "vision"},
            {"run_id": "r1", "key": "rank", "value": "b"},
            {"run_id": "r6", "key": "rank", "value": "a"},
            {"run_id": "r7", "key": "rank", "value": "c"},
        ],
    ),
    (
        t.datasets,
        [
            {
                "dataset_id": "d1",
                "experiment_id": 1,
                "name": "iris",
                "digest": "abc",
                "source_type": "local",
                "source": "{}",
            },
            {
                "dataset_id": "d2",
                "experiment_id": 1,
                "name": "wine",
                "digest": "def",
                "source_type": "local",
                "source": "{}",
            },
        ],
    ),
    (
        t.run_inputs,
        [
            {"run_id": "r1", "dataset_id": "d1", "context": "training"},
            {"run_id": "r3", "dataset_id": "d2", "context": "eval"},
            {"run_id": "r3", "dataset_id": "d1", "context": "training"},
        ],
    ),
    (
        t.logged_models,
        [
            _model(
                "m1", 1, "model-a", 10, "LOGGED_MODEL_READY", model_type="sk", source_run_id="r1"
            ),
            _model("m2", 1, "model-b", 20, "LOGGED_MODEL_PENDING"),
            _model("m3", 1, "other", 30, "LOGGED_MODEL_READY", stage="deleted"),
            _model("m4", 2, "model-c", 5, "LOGGED_MODEL_READY"),
        ],
    ),
    (t.logged_model_params, [{"model_id": "m1", "key": "lr", "value": "0.1"}]),
    (
        t.logged_model_metric_runs,
        [{"model_id": "m1", "run_id": "r1"}, {"model_id": "m2", "run_id": "r2"}],
    ),
    (t.logged_model_tags, [{"model_id": "m2", "key": "t", "value": "x"}]),
    (
        t.metric_series,
        [{"series_id": sid, "run_id": rid, "key": "acc"} for rid, sid in _SERIES.items()],
    ),
    (
        t.metrics,
        [
            _metric_point("r1", "m1", 0, 1, 0.5, "iris", "abc"),
            _metric_point("r1", "m1", 1, 2, 0.8, "iris", "abc"),
            _metric_point("r2", "m2", 0, 1, 0.6, "wine", "def"),
            _metric_point("r2", "m2", 2, 0, 0.3, "wine", "def"),  # latest: highest step
        ],
    ),
]


def _fill(connection: sa.Connection) -> None:
    t.metadata.create_all(connection)
    for table, rows in ROWS:
        connection.execute(table.insert(), rows)


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
    uri = request.getfixturevalue("postgres_uri")
    engine = sa.create_engine(uri)
    schema = f"search_test_{uuid.uuid4().hex[:12]}"
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


def _runs(
    conn: sa.Connection,
    filter_string: str = "",
    order_by: list[str] | None = None,
    experiment_ids: list[str] | None = None,
    view_type: ViewType = ViewType.ACTIVE_ONLY,
) -> list[str]:
    stmt = select_run_ids(
        parse_run_filter(filter_string),
        parse_run_order_by(order_by or []),
        ["1"] if experiment_ids is None else experiment_ids,
        view_type,
    )
    return list(conn.execute(stmt).scalars())


# ---------------------------------------------------------------------------------- runs


def test_default_order_and_views(conn: sa.Connection) -> None:
    assert _runs(conn) == ["r2", "r3", "r7", "r1", "r6"]
    assert _runs(conn, view_type=ViewType.ALL) == ["r4", "r2", "r3", "r7", "r1", "r6"]
    assert _runs(conn, view_type=ViewType.DELETED_ONLY) == ["r4"]
    assert _runs(conn, experiment_ids=["1", "2"]) == ["r2", "r5", "r3", "r7", "r1", "r6"]
    assert _runs(conn, experiment_ids=[]) == []
    assert _runs(conn, experiment_ids=["99999999999999"]) == []


@pytest.mark.parametrize(
    ("filter_string", "expected"),
    [
        ("metrics.acc > 0.4", ["r3", "r1"]),
        ("metrics.acc != 0.5", ["r2", "r3", "r6"]),
        ("metrics.acc != 0", ["r2", "r3", "r1", "r6"]),
        ("metrics.acc = 0", []),
        ("metrics.acc < 0", ["r6"]),
        ("metrics.loss >= 1", ["r1"]),
        ("metrics.missing > -1e308", []),
        ("params.lr = '0.1'", ["r7", "r1"]),
        ("params.lr != '0.1'", ["r2"]),
        ("params.lr IS NULL", ["r3", "r6"]),
        ("params.lr IS NOT NULL", ["r2", "r7", "r1"]),
        ("tags.team = 'vision'", ["r3"]),
        ("tags.team LIKE 'vis%'", ["r3"]),
        ("tags.team LIKE 'Vis%'", ["r2"]),
        ("tags.team ILIKE 'VIS%'", ["r2", "r3"]),
        ("tags.`mlflow.user` = 'ann'", ["r1"]),
        ("run_name = 'beta'", []),
        ("run_name = 'Beta'", ["r2"]),
        ("run_name LIKE 'gamma_1'", ["r3", "r7"]),
        ("run_name LIKE 'gamma\\_1'", ["r3"]),
        ("run_name LIKE 'x*[y]?'", ["r6"]),
        ("run_name LIKE 'x*[_]?'", ["r6"]),
        ("run_name LIKE 'x%'", ["r6"]),
        ("run_name LIKE '%[y]%'", ["r6"]),
        ("run_name LIKE 'x?%'", []),
        ("run_name LIKE 'ALPHA'", []),
        ("attributes.run_name ILIKE 'BETA'", ["r2"]),
        ("run_name ILIKE 'GAMMA\\_%'", ["r3"]),
        ("status = 'FINISHED'", ["r7", "r1"]),
        ("user_id != 'ann'", ["r2", "r6"]),
        ("run_id IN ('r1', 'r2', 'zz')", ["r2", "r1"]),
        ("run_id NOT IN ('r1', 'r2')", ["r3", "r7", "r6"]),
        ("artifact_uri LIKE '%/r3/%'", ["r3"]),
        ("start_time >= 20", ["r2", "r3", "r7"]),
        ("created < 20", ["r1", "r6"]),
        ("end_time > 20", ["r3", "r7"]),
        ("end_time >= 20.5", ["r3", "r7"]),
        ("datasets.name = 'iris'", ["r3", "r1"]),
        ("datasets.digest = 'def'", ["r3"]),
        ("datasets.context = 'training'", ["r3", "r1"]),
        ("datasets.context IN ('eval')", ["r3"]),
        ("datasets.name != 'iris'", ["r3"]),
        ("datasets.name NOT IN ('iris', 'wine')", []),
        ("datasets.name LIKE 'I%'", []),
        ("datasets.name ILIKE 'I%'", ["r3", "r1"]),
        ("metrics.acc > 0 AND params.lr = '0.1'", ["r1"]),
        ("user_id = 'ann' and start_time > 10 and status != 'FAILED'", ["r7"]),
    ],
)
def test_run_filters(conn: sa.Connection, filter_string: str, expected: list[str]) -> None:
    assert _runs(conn, filter_string) == expected


def test_run_like_escapes_on_deleted_run(conn: sa.Connection) -> None:
    assert _runs(conn, "run_name LIKE 'delta\\%'", view_type=ViewType.ALL) == ["r4"]
    assert _runs(conn, "run_name LIKE 'delt_\\%'", view_type=ViewType.ALL) == ["r4"]
    assert _runs(conn, "run_name LIKE 'delta\\_'", view_type=ViewType.ALL) == []


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        (["metrics.acc DESC"], ["r3", "r1", "r6", "r2", "r7"]),
        (["metrics.acc"], ["r6", "r1", "r3", "r2", "r7"]),
        (["params.lr"], ["r2", "r7", "r1", "r3", "r6"]),
        (["params.lr DESC"], ["r7", "r1", "r2", "r3", "r6"]),
        (["tags.rank"], ["r6", "r1", "r7", "r2", "r3"]),
        (["tags.rank DESC"], ["r7", "r1", "r6", "r2", "r3"]),
        (["end_time"], ["r6", "r1", "r7", "r3", "r2"]),
        (["end_time DESC"], ["r3", "r7", "r1", "r6", "r2"]),
        (["start_time ASC"], ["r6", "r1", "r3", "r7", "r2"]),
        (["created DESC"], ["r2", "r3", "r7", "r1", "r6"]),
        (["user_id DESC"], ["r6", "r2", "r3", "r7", "r1"]),
        (["user_id", "metrics.acc DESC"], ["r3", "r1", "r7", "r2", "r6"]),
        (["run_id DESC"], ["r7", "r6", "r3", "r2", "r1"]),
    ],
)
def test_run_order(conn: sa.Connection, order_by: list[str], expected: list[str]) -> None:
    assert _runs(conn, order_by=order_by) == expected


def test_run_filter_and_order_together_page_stably(conn: sa.Connection) -> None:
    stmt = select_run_ids(
        parse_run_filter("metrics.acc != 100"),
        parse_run_order_by(["metrics.acc DESC"]),
        ["1"],
        ViewType.ACTIVE_ONLY,
    )
    pages = [list(conn.execute(stmt.limit(2).offset(n)).scalars()) for n in (0, 2, 4)]
    assert pages == [["r3", "r1"], ["r6", "r2"], []]


def test_non_integer_experiment_id_is_invalid() -> None:
    with pytest.raises(InvalidArgumentError, match="experiment IDs are integers"):
        select_run_ids([], [], ["abc"], ViewType.ALL)
    assert parse_experiment_ids(["1", " 2", "99999999999"]) == [1, 2]
    assert parse_experiment_ids("3") == [3]


# ----------------------------------------------------------------------------- experiments


def _experiments(
    conn: sa.Connection,
    filter_string: str = "",
    order_by: list[str] | None = None,
    view_type: ViewType = ViewType.ACTIVE_ONLY,
) -> list[int]:
    stmt = select_experiment_ids(
        parse_experiment_filter(filter_string),
        parse_experiment_order_by(order_by or []),
        view_type,
    )
    return list(conn.execute(stmt).scalars())


@pytest.mark.parametrize(
    ("filter_string", "order_by", "view_type", "expected"),
    [
        ("", [], ViewType.ACTIVE_ONLY, [2, 4, 1]),
        ("", [], ViewType.ALL, [2, 3, 4, 1]),
        ("", [], ViewType.DELETED_ONLY, [3]),
        ("name LIKE 'exp-%'", [], ViewType.ACTIVE_ONLY, [2, 1]),
        ("name ILIKE 'exp-%'", [], ViewType.ACTIVE_ONLY, [2, 4, 1]),
        ("name = 'exp-b'", [], ViewType.ACTIVE_ONLY, []),
        ("experiment_id IN ('1', '4')", [], ViewType.ACTIVE_ONLY, [4, 1]),
        ("experiment_id NOT IN ('1', '4')", [], ViewType.ALL, [2, 3]),
        ("experiment_id = '2'", [], ViewType.ACTIVE_ONLY, [2]),
        ("experiment_id != '2'", [], ViewType.ACTIVE_ONLY, [4, 1]),
        ("experiment_id = '99999999999999'", [], ViewType.ACTIVE_ONLY, []),
        ("experiment_id != '99999999999999'", [], ViewType.ACTIVE_ONLY, [2, 4, 1]),
        ("tags.team = 'ml'", [], ViewType.ACTIVE_ONLY, [1]),
        ("tags.team ILIKE 'ml'", [], ViewType.ACTIVE_ONLY, [2, 1]),
        ("tags.note IS NULL", [], ViewType.ACTIVE_ONLY, [4, 1]),
        ("tags.note IS NOT NULL", [], ViewType.ACTIVE_ONLY, [2]),
        ("creation_time >= 150", [], ViewType.ACTIVE_ONLY, [2, 4]),
        ("last_update_time < 300 AND creation_time > 100", [], ViewType.ALL, [3, 4]),
        ("", ["last_update_time DESC"], ViewType.ACTIVE_ONLY, [2, 4, 1]),
        ("", ["creation_time"], ViewType.ALL, [1, 4, 3, 2]),
        ("", ["experiment_id DESC"], ViewType.ALL, [4, 3, 2, 1]),
    ],
)
def test_experiment_search(
    conn: sa.Connection,
    filter_string: str,
    order_by: list[str],
    view_type: ViewType,
    expected: list[int],
) -> None:
    assert _experiments(conn, filter_string, order_by, view_type) == expected


def test_experiment_id_filter_must_be_integer() -> None:
    with pytest.raises(InvalidArgumentError, match="'abc'"):
        select_experiment_ids(parse_experiment_filter("experiment_id = 'abc'"), [], ViewType.ALL)


# --------------------------------------------------------------------------- logged models


@pytest.mark.parametrize(
    ("filter_string", "order_by", "experiment_ids", "datasets", "expected"),
    [
        ("", [], ["1"], [], ["m2", "m1"]),
        ("", [], ["1", "2"], [], ["m2", "m1", "m4"]),
        ("status = 'READY'", [], ["1"], [], ["m1"]),
        ("status = 'LOGGED_MODEL_READY'", [], ["1"], [], ["m1"]),
        ("status IN ('PENDING', 'READY')", [], ["1"], [], ["m2", "m1"]),
        ("metrics.acc > 0.7", [], ["1"], [], ["m1"]),
        ("metrics.acc > 0.55", [], ["1"], [], ["m1"]),  # latest values: m1 0.8, m2 0.3
        ("metrics.acc < 0.4", [], ["1"], [], ["m2"]),  # highest step, not newest timestamp
        ("params.lr = '0.1'", [], ["1"], [], ["m1"]),
        ("tags.t = 'x'", [], ["1"], [], ["m2"]),
        ("model_type = 'sk' AND source_run_id = 'r1'", [], ["1"], [], ["m1"]),
        ("name LIKE 'MODEL%'", [], ["1"], [], []),
        ("creation_time > 15", [], ["1"], [], ["m2"]),
        ("", [{"field_name": "metrics.acc", "ascending": False}], ["1"], [], ["m1", "m2"]),
        ("", [{"field_name": "metrics.acc"}], ["1"], [], ["m2", "m1"]),
        (
            "",
            [{"field_name": "metrics.acc", "ascending": False, "dataset_name": "wine"}],
            ["1"],
            [],
            ["m2", "m1"],
        ),
        ("", [{"field_name": "creation_time"}], ["1", "2"], [], ["m4", "m1", "m2"]),
        ("", [], ["1"], [{"dataset_name": "wine"}], ["m2"]),
        (
            "metrics.acc > 0.55",
            [],
            ["1"],
            [{"dataset_name": "iris", "dataset_digest": "abc"}],
            ["m1"],
        ),
        ("metrics.acc > 0.55", [], ["1"], [{"dataset_name": "iris", "dataset_digest": "zzz"}], []),
    ],
)
def test_logged_model_search(
    conn: sa.Connection,
    filter_string: str,
    order_by: list[dict[str, Any]],
    experiment_ids: list[str],
    datasets: list[dict[str, Any]],
    expected: list[str],
) -> None:
    stmt = select_logged_model_ids(
        parse_logged_model_filter(filter_string),
        parse_logged_model_order_by(order_by),
        experiment_ids,
        datasets,
    )
    assert list(conn.execute(stmt).scalars()) == expected


def test_logged_model_datasets_need_a_name() -> None:
    with pytest.raises(InvalidArgumentError, match="dataset_name"):
        select_logged_model_ids([], [], ["1"], [{"dataset_digest": "abc"}])


# ------------------------------------------------------------------------------ compilation


def test_case_sensitive_like_per_dialect() -> None:
    column = t.runs.c.run_name
    expression = CaseSensitiveLike(column, "a*_\\%")

    def render(dialect: sa.Dialect) -> str:
        return str(expression.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    assert render(sqlite.dialect()) == "runs.run_name GLOB 'a[*]?%'"
    assert render(postgresql.dialect()) == "runs.run_name LIKE 'a*_\\%%' ESCAPE '\\'"
    assert "BINARY runs.run_name LIKE BINARY" in render(mysql.dialect())
