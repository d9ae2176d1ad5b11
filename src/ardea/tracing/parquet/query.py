"""``query_traces``: SQL (DuckDB) over a Parquet dataset of traces.

The dataset's files become three views: ``traces``, ``spans`` and ``assessments`` (one row per
assessment, unnested from ``traces``), with convenience columns (``request_time`` and
``start_time`` as timestamps, ``latency_ms``, typed assessment values). Only one ``SELECT``
statement runs, and DuckDB runs with ``enable_external_access = false``: the dataset's own
files are the only ones it may read, it can write none, and it can neither attach databases
nor install or load extensions. The configuration is locked before the query runs.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

from ardea._core.errors import InvalidArgumentError
from ardea.tracing.parquet._deps import require
from ardea.tracing.parquet._location import Location

_TRACES = """
CREATE VIEW traces AS
SELECT *,
       epoch_ms(request_time_ms) AS request_time,
       execution_duration_ms AS latency_ms
FROM read_parquet({files}, union_by_name = true)
"""
_SPANS = """
CREATE VIEW spans AS
SELECT *,
       epoch_ms(start_time_ns // 1000000) AS start_time,
       epoch_ms(end_time_ns // 1000000) AS end_time,
       (end_time_ns - start_time_ns) / 1e6 AS latency_ms
FROM read_parquet({files}, union_by_name = true)
"""
_ASSESSMENTS = """
CREATE VIEW assessments AS
SELECT trace_id, experiment_id,
       a.assessment_id, a.name, a.kind, a.value,
       TRY_CAST(a.value AS DOUBLE) AS value_number,
       CASE a.value WHEN 'true' THEN true WHEN 'false' THEN false END AS value_bool,
       CASE WHEN starts_with(a.value, '"') THEN json_extract_string(a.value, '$') END
           AS value_text,
       a.source_type, a.source_id, a.rationale,
       a.error.error_code AS error_code, a.error.error_message AS error_message,
       a.metadata, a.span_id, a.overrides, a.valid,
       epoch_ms(a.create_time_ms) AS create_time,
       epoch_ms(a.last_update_time_ms) AS last_update_time
FROM (SELECT trace_id, experiment_id, unnest(assessments) AS a FROM traces)
"""


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def _files(folder: Path, table: str) -> list[str]:
    where = folder / table
    if not where.is_dir():
        return []
    return sorted(
        str(p.resolve())
        for p in where.iterdir()
        if p.suffix == ".parquet" and not p.name.startswith(".")
    )


def _check_select(con: Any, sql: str) -> None:
    duckdb: Any = importlib.import_module("duckdb")
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise InvalidArgumentError(f"SQL error: {exc}") from None
    if len(statements) != 1:
        raise InvalidArgumentError(f"Give one SQL statement, got {len(statements)}")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise InvalidArgumentError(
            f"Only SELECT queries run over traces, got a {kind.name} statement"
        )


def connect(folder: Path) -> Any:
    """A locked-down DuckDB connection with the views of the dataset in ``folder``.

    Raises:
        InvalidArgumentError: The folder holds no Parquet traces.
    """
    duckdb: Any = importlib.import_module("duckdb")
    traces, spans = _files(folder, "traces"), _files(folder, "spans")
    if not traces or not spans:
        raise InvalidArgumentError(
            f"No Parquet traces under {str(folder)!r} (need traces/*.parquet and spans/*.parquet)"
        )
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET allowed_paths = " + _sql_list(traces + spans))
        con.execute("SET enable_external_access = false")
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET lock_configuration = true")
        con.execute(_TRACES.format(files=_sql_list(traces)))
        con.execute(_SPANS.format(files=_sql_list(spans)))
        con.execute(_ASSESSMENTS)
    except BaseException:
        con.close()
        raise
    return con


def query_traces(
    sql: str,
    source: str | os.PathLike[str],
    *,
    output: Literal["pandas", "arrow"] = "pandas",
    filesystem: Any = None,
) -> Any:
    """Run one SQL ``SELECT`` (DuckDB's dialect) over exported or archived traces.

    Views: ``traces`` (one row per trace, the columns of docs/tracing.md "Parquet" plus
    ``request_time`` as a timestamp and ``latency_ms``), ``spans`` (plus ``start_time``,
    ``end_time`` and ``latency_ms``) and ``assessments`` (one row per assessment with
    ``trace_id``, ``experiment_id``, the struct's fields, ``value_number``, ``value_bool``,
    ``value_text``, ``error_code`` and ``error_message``).

    Args:
        sql: One ``SELECT`` statement.
        source: The dataset folder: a path, ``file://`` URI, or an object-store URI (its
            files are downloaded to a temporary folder first, removed afterwards).
        output: ``"pandas"`` for a ``pandas.DataFrame``, ``"arrow"`` for a ``pyarrow.Table``.
        filesystem: A ``pyarrow.fs.FileSystem`` to read ``source`` through.

    Returns:
        The result as a DataFrame or an Arrow table.

    Raises:
        InvalidArgumentError: Not exactly one SELECT statement, a SQL error (an unknown
            column, a syntax error, a file the query may not read), or no traces at ``source``.
        FailedPreconditionError: DuckDB, pyarrow (or pandas for ``output="pandas"``) is not
            installed (``pip install 'ardea[parquet]'``).
    """
    if output not in ("pandas", "arrow"):
        raise InvalidArgumentError(f"output must be 'pandas' or 'arrow', got {output!r}")
    require("duckdb", "pyarrow", *(["pandas"] if output == "pandas" else []))
    duckdb: Any = importlib.import_module("duckdb")
    location = Location(source, filesystem=filesystem)
    scratch = None if location.local else Path(tempfile.mkdtemp(prefix="ardea-query-"))
    try:
        folder = location.download(scratch) if scratch is not None else location.download(Path())
        con = connect(folder)
        try:
            _check_select(con, sql)
            try:
                result = con.sql(sql)
                if result is None:
                    raise InvalidArgumentError("The statement returns no rows")
                if output == "pandas":
                    return result.df()
                to_table = getattr(result, "to_arrow_table", None)  # DuckDB >= 1.4
                return to_table() if to_table else result.fetch_arrow_table()
            except duckdb.Error as exc:
                raise InvalidArgumentError(f"SQL error: {exc}") from None
        finally:
            con.close()
    finally:
        location.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
