"""``ardea.query_traces``: DuckDB over a Parquet dataset, with its views, refusing side effects."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import ardea
from ardea._core.errors import InvalidArgumentError
from ardea.tracing.parquet import write_traces

_TESTS = str(Path(__file__).resolve().parents[3])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)
full_trace = importlib.import_module("fixtures.full_traces").full_trace
_s3 = importlib.import_module("fixtures.s3")
s3_server = _s3.s3_server
s3_env = _s3.s3_env


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    traces = [full_trace(i, experiment_id=str(1 + i % 2), spans=3) for i in range(1, 7)]
    write_traces(traces[:3], tmp_path / "ds")
    write_traces(traces[3:], tmp_path / "ds")  # two parts, read as one table
    return tmp_path / "ds"


def test_group_by_over_spans(dataset: Path) -> None:
    df = ardea.query_traces(
        "SELECT model, count(*) AS calls, sum(input_tokens) AS tokens_in, sum(cost) AS cost "
        "FROM spans WHERE model IS NOT NULL GROUP BY model",
        source=dataset,
    )
    assert df.to_dict("records") == [
        {"model": "gpt-4.1-mini", "calls": 12, "tokens_in": 6 * (10 + 11), "cost": 3.0}
    ]


def test_traces_view_and_its_columns(dataset: Path) -> None:
    df = ardea.query_traces(
        "SELECT experiment_id, count(*) AS n, avg(latency_ms) AS ms, sum(total_tokens) AS tok, "
        "min(request_time) AS first, any_value(tags['env']) AS env "
        "FROM traces GROUP BY experiment_id ORDER BY experiment_id",
        str(dataset),
    )
    rows = df.to_dict("records")
    assert [(r["experiment_id"], r["n"], r["ms"], r["tok"], r["env"]) for r in rows] == [
        ("1", 3, 5.0, 93, "prod"),
        ("2", 3, 5.0, 93, "prod"),
    ]
    assert str(rows[0]["first"]).startswith("2023-11-14")


def test_assessments_view(dataset: Path) -> None:
    table = ardea.query_traces(
        "SELECT name, kind, value, value_number, value_bool, value_text, error_code, valid, "
        "rationale FROM assessments WHERE trace_id = 'tr-" + f"{1:032x}" + "' ORDER BY name, "
        "create_time",
        dataset,
        output="arrow",
    )
    assert isinstance(table, pa.Table)
    rows = {(r["name"], r["value"]): r for r in table.to_pylist()}
    assert rows[("correctness", "true")]["value_bool"] is True
    assert rows[("correctness", "true")]["rationale"] == "matches the docs"
    assert rows[("relevance", "null")]["error_code"] == "TIMEOUT"
    assert rows[("score", "0.5")]["valid"] is False
    assert rows[("score", "3")]["value_number"] == 3.0
    expected = next(r for (n, _), r in rows.items() if n == "expected_response")
    assert expected["kind"] == "expectation" and expected["value_text"] is None


def test_from_an_object_store(s3_env: object, dataset: Path) -> None:
    uri = s3_env.uri("parquet-query")  # type: ignore[attr-defined]
    write_traces([full_trace(i) for i in range(1, 4)], uri)
    df = ardea.query_traces("SELECT count(*) AS n FROM spans", uri)
    assert int(df["n"][0]) == 9


def test_an_unknown_column_is_a_clear_error(dataset: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r'SQL error: .*"nope" not found'):
        ardea.query_traces("SELECT nope FROM spans", dataset)
    with pytest.raises(InvalidArgumentError, match="SQL error"):
        ardea.query_traces("SELEC 1", dataset)


@pytest.mark.parametrize(
    "sql",
    [
        "COPY spans TO '{ds}/spans/leak.csv'",
        "ATTACH '{tmp}/other.db'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "CREATE TABLE t AS SELECT 1",
        "SELECT 1; SELECT 2",
    ],
)
def test_only_one_select_runs(dataset: Path, tmp_path: Path, sql: str) -> None:
    before = sorted(p for p in tmp_path.rglob("*"))
    with pytest.raises(InvalidArgumentError, match=r"Only SELECT|one SQL statement"):
        ardea.query_traces(sql.format(ds=dataset, tmp=tmp_path), dataset)
    assert sorted(p for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('{secret}')",
        "SELECT * FROM read_parquet('{ds}/traces/*.parquet')",
        "SELECT * FROM read_text('{secret}')",
    ],
)
def test_a_select_reads_no_other_file(dataset: Path, tmp_path: Path, sql: str) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n1,2\n")
    with pytest.raises(InvalidArgumentError, match="Permission Error"):
        ardea.query_traces(sql.format(secret=secret, ds=dataset), dataset)


def test_no_dataset(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="No Parquet traces"):
        ardea.query_traces("SELECT 1", tmp_path)
    with pytest.raises(InvalidArgumentError, match="output must be"):
        ardea.query_traces("SELECT 1", tmp_path, output="polars")  # type: ignore[arg-type]
