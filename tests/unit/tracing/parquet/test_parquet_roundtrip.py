"""The Parquet layout of traces: every field of every entity round-trips, locally and on S3."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Trace, TraceInfo
from ardea.tracing.parquet import read_traces, spans_schema, traces_schema, write_traces

_TESTS = str(Path(__file__).resolve().parents[3])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)
full_trace = importlib.import_module("fixtures.full_traces").full_trace
_s3 = importlib.import_module("fixtures.s3")
s3_server = _s3.s3_server
s3_env = _s3.s3_env


def _traces(n: int = 5) -> list[Trace]:
    return [full_trace(i, experiment_id=str(1 + i % 2), spans=1 + i % 4) for i in range(1, n + 1)]


def test_every_field_round_trips(tmp_path: Path) -> None:
    traces = _traces()
    files = write_traces(iter(traces), tmp_path / "ds")
    assert [Path(f).parent.name for f in files] == ["traces", "spans"]
    back = list(read_traces(tmp_path / "ds"))
    assert back == traces
    # the types of the typed assessments come back too (Feedback / Expectation)
    assert [type(a) for a in back[0].info.assessments] == [
        type(a) for a in traces[0].info.assessments
    ]
    assert back[0].spans[0].attributes["big_int"] == 2**70


def test_trace_without_spans_or_usage(tmp_path: Path) -> None:
    bare = Trace(info=TraceInfo(trace_id="tr-" + "f" * 32, experiment_id="0", request_time=1))
    traces = [bare, *_traces(2)]
    write_traces(traces, str(tmp_path))
    assert list(read_traces(str(tmp_path))) == traces


def test_files_follow_the_documented_schema(tmp_path: Path) -> None:
    files = write_traces(_traces(3), tmp_path)
    traces_file, spans_file = files
    assert pq.read_schema(traces_file).remove_metadata() == traces_schema().remove_metadata()
    assert pq.read_schema(spans_file).remove_metadata() == spans_schema().remove_metadata()
    meta = pq.read_schema(traces_file).metadata
    assert meta[b"ardea.traces.format"] == b"1"
    spans = pq.read_table(spans_file).to_pylist()
    llm = next(s for s in spans if s["name"] == "llm-0")
    assert (llm["input_tokens"], llm["output_tokens"], llm["total_tokens"]) == (10, 5, 15)
    assert (llm["cost"], llm["model"], llm["experiment_id"]) == (0.25, "gpt-4.1-mini", "2")
    root = next(s for s in spans if s["parent_span_id"] is None)
    assert root["model"] is None and root["input_tokens"] is None


def test_rows_stream_in_row_groups_and_parts(tmp_path: Path) -> None:
    traces = _traces(40)
    files = write_traces(traces, tmp_path, row_group_spans=10, file_spans=30)
    parts = sorted(Path(f).name for f in files if Path(f).parent.name == "traces")
    assert len(parts) > 1
    first = pq.ParquetFile(tmp_path / "traces" / parts[0])
    assert first.num_row_groups > 1
    assert list(read_traces(tmp_path)) == traces


def test_exports_append_to_a_dataset(tmp_path: Path) -> None:
    first, second = _traces(2), [full_trace(9)]
    write_traces(first, tmp_path)
    write_traces(second, tmp_path)
    assert sorted(t.info.trace_id for t in read_traces(tmp_path)) == sorted(
        t.info.trace_id for t in first + second
    )


def test_nothing_to_write_writes_nothing(tmp_path: Path) -> None:
    assert write_traces([], tmp_path / "ds") == []
    assert list(read_traces(tmp_path / "ds")) == []


def test_a_failing_input_leaves_no_file(tmp_path: Path) -> None:
    def broken() -> object:
        yield from _traces(2)
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError, match="store went away"):
        write_traces(broken(), tmp_path)  # type: ignore[arg-type]
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_spans_out_of_trace_order_are_refused(tmp_path: Path) -> None:
    a, b = _traces(2)
    files = write_traces([a, b], tmp_path)
    spans = pq.read_table(files[1])
    pq.write_table(spans.take(list(reversed(range(spans.num_rows)))), files[1])
    with pytest.raises(InvalidArgumentError, match="out of order"):
        list(read_traces(tmp_path))


def test_through_a_pyarrow_filesystem(tmp_path: Path) -> None:
    traces = _traces(3)
    fs = pafs.SubTreeFileSystem(str(tmp_path), pafs.LocalFileSystem())
    files = write_traces(traces, "ds", filesystem=fs)
    assert all(f.startswith("ds/") for f in files)
    assert list(read_traces("ds", filesystem=fs)) == traces
    assert list(read_traces(tmp_path / "ds")) == traces


def test_to_an_object_store(s3_env: object) -> None:
    traces = _traces(4)
    uri = s3_env.uri("parquet-roundtrip")  # type: ignore[attr-defined]
    files = write_traces(traces, uri, row_group_spans=5, file_spans=8)
    assert files and all(f.startswith(uri + "/") for f in files)
    assert list(read_traces(uri)) == traces


def test_importing_the_layout_does_not_import_pyarrow() -> None:
    import subprocess

    code = "import ardea.tracing.parquet, sys; print('pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
