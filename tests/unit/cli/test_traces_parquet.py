"""``ardea traces export --out`` and ``ardea traces query`` on a data folder (SQLite), and S3."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ardea.tracing.parquet import read_traces

_full = importlib.import_module("fixtures.full_traces")


@pytest.fixture
def stored(data: str) -> tuple[str, list[object]]:
    """Experiment "traces" with 5 full traces; returns its id and the traces as stored."""
    from ardea.client import ArdeaClient

    client = ArdeaClient(data)
    try:
        eid = client.create_experiment("traces")
        ids = _full.store_traces(
            client.trace_store, [_full.full_trace(i, experiment_id=eid) for i in range(1, 6)]
        )
        return eid, client.trace_store.batch_get_traces(ids)
    finally:
        client.close()


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_export_then_query(
    ardea: Callable[..., Result], stored: tuple[str, list[object]], tmp_path: Path
) -> None:
    eid, traces = stored
    out = tmp_path / "ds"
    result = _ok(ardea("traces", "export", "-x", eid, "--out", str(out)))
    assert "wrote 5 trace(s), 15 span(s)" in result.stdout
    assert "exported 5/5 traces, 15 spans" in result.stderr
    assert list(read_traces(out)) == traces

    sql = "SELECT name, count(*) AS n FROM spans GROUP BY name ORDER BY name"
    rows = json.loads(
        _ok(
            ardea("traces", "query", sql, "--source", str(out), "--output", "json", uri=None)
        ).stdout
    )
    assert rows[:2] == [{"name": "agent-1", "n": 1}, {"name": "agent-2", "n": 1}]
    assert {"name": "llm-0", "n": 5} in rows
    table = _ok(ardea("traces", "query", "SELECT count(*) AS n FROM assessments", "-s",
                      str(out), uri=None)).stdout  # fmt: skip
    assert table.split() == ["n", "--", "25"]


def test_time_range_and_filter(
    ardea: Callable[..., Result], stored: tuple[str, list[object]], tmp_path: Path
) -> None:
    eid, _ = stored
    # trace i starts at 1_700_000_000_000 + i * 1000 ms = 2023-11-14T22:13:2{i}Z
    args = ["--since", "2023-11-14T22:13:22Z", "--until", "2023-11-14T22:13:25+00:00"]
    _ok(ardea("traces", "export", "-x", eid, *args, "--filter", "status = 'ERROR'",
              "--out", str(tmp_path / "ds")))  # fmt: skip
    assert [t.info.trace_id for t in read_traces(tmp_path / "ds")] == [
        f"tr-{i:032x}" for i in (2, 4)
    ]


def test_to_an_object_store(
    ardea: Callable[..., Result], stored: tuple[str, list[object]], s3_env: object
) -> None:
    eid, traces = stored
    uri = s3_env.uri("cli-export")  # type: ignore[attr-defined]
    _ok(ardea("traces", "export", "-x", eid, "--out", uri))
    assert list(read_traces(uri)) == traces
    rows = json.loads(_ok(ardea("traces", "query", "SELECT count(*) AS n FROM traces",
                                "-s", uri, "--output", "json", uri=None)).stdout)  # fmt: skip
    assert rows == [{"n": 5}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-x", "1", "--out", "d", "tr-1"], "give no trace ids"),
        (["--out", "d"], "--out needs --experiment-id"),
        (["-x", "1", "--since", "yesterday", "--out", "d"], "--since: 'yesterday' is not an ISO"),
        (["-x", "1", "--filter", "bogus ~ 1", "--out", "d"], "bogus"),
        (["tr-1", "--since", "2026-01-01"], "go with --out"),
        (["tr-1"], "give --output FILE"),
    ],
)
def test_bad_export_arguments(
    ardea: Callable[..., Result], stored: object, tmp_path: Path, args: list[str], message: str
) -> None:
    result = ardea("traces", "export", *[a.replace("d", str(tmp_path / "d"), 1) if a == "d"
                                         else a for a in args])  # fmt: skip
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "d").exists()


def test_bad_query(ardea: Callable[..., Result], stored: tuple[str, list[object]],
                   tmp_path: Path) -> None:  # fmt: skip
    eid, _ = stored
    _ok(ardea("traces", "export", "-x", eid, "--out", str(tmp_path / "ds")))
    result = ardea("traces", "query", "SELECT nope FROM traces", "-s", str(tmp_path / "ds"),
                   uri=None)  # fmt: skip
    assert result.exit_code == 1
    assert 'SQL error: Binder Error: Referenced column "nope" not found' in result.output
    result = ardea("traces", "query", f"COPY traces TO '{tmp_path}/x.csv'", "-s",
                   str(tmp_path / "ds"), uri=None)  # fmt: skip
    assert result.exit_code == 1 and "Only SELECT" in result.output
    assert not (tmp_path / "x.csv").exists()
