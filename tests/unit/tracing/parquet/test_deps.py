"""Without the ``parquet`` extra, export and query say what to install (no traceback)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ardea._core.errors import FailedPreconditionError
from ardea.cli.main import cli
from ardea.tracing.parquet import read_traces, write_traces
from ardea.tracing.parquet.query import query_traces


def test_query_without_duckdb_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if it were not installed
    with pytest.raises(FailedPreconditionError, match=r"duckdb.*pip install 'ardea\[parquet\]'"):
        query_traces("SELECT 1", tmp_path)
    result = CliRunner().invoke(cli, ["traces", "query", "SELECT 1", "--source", str(tmp_path)])
    assert result.exit_code == 1
    assert "pip install 'ardea[parquet]'" in result.output and "Traceback" not in result.output


def test_write_and_read_without_pyarrow_name_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(FailedPreconditionError, match=r"pyarrow.*ardea\[parquet\]"):
        write_traces([], tmp_path / "out")
    with pytest.raises(FailedPreconditionError, match=r"pyarrow.*ardea\[parquet\]"):
        next(read_traces(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
