"""``write_traces``: stream traces into Parquet files, a row group at a time."""

from __future__ import annotations

import importlib
import os
import time
import uuid
from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any

from ardea.entities import Trace
from ardea.tracing.parquet._deps import require
from ardea.tracing.parquet._location import Location
from ardea.tracing.parquet._schema import span_row, spans_schema, trace_row, traces_schema

ROW_GROUP_SPANS = 65_536
"""Spans buffered before a row group is written (a row group also closes at 10,000 traces)."""
ROW_GROUP_TRACES = 10_000
FILE_SPANS = 2_000_000
"""Spans in one part file before the next part starts (a part never splits a trace)."""


class _Part:
    """One open pair of files: ``traces/<name>`` and ``spans/<name>``."""

    def __init__(self, location: Location, name: str, compression: str) -> None:
        pq: Any = importlib.import_module("pyarrow.parquet")

        self.names = [f"traces/{name}", f"spans/{name}"]
        self._stack = ExitStack()
        targets = [self._stack.enter_context(location.writing(rel)) for rel in self.names]
        self.traces = pq.ParquetWriter(targets[0], traces_schema(), compression=compression)
        self.spans = pq.ParquetWriter(targets[1], spans_schema(), compression=compression)
        self.span_rows = 0

    def close(self, exc: BaseException | None = None) -> None:
        """Finish both files (or drop them when ``exc`` is set)."""
        self.traces.close()
        self.spans.close()
        if exc is None:
            self._stack.close()
        else:
            self._stack.__exit__(type(exc), exc, exc.__traceback__)


def write_traces(
    traces: Iterable[Trace],
    dest: str | os.PathLike[str],
    *,
    filesystem: Any = None,
    row_group_spans: int = ROW_GROUP_SPANS,
    file_spans: int = FILE_SPANS,
    compression: str = "zstd",
) -> list[str]:
    """Write traces (records and spans) as a Parquet dataset under ``dest``.

    The dataset is two folders of part files, ``traces/`` (one row per trace) and ``spans/``
    (one row per span), a part being a pair of files of the same name; the layout is in
    docs/tracing.md "Parquet". Traces are consumed lazily and written in row groups, so memory
    holds one row group, never the whole input. Each call writes new, uniquely named parts;
    files already in ``dest`` stay (several exports can share one dataset). A part file
    appears only once complete.

    Args:
        traces: Whole traces (e.g. from ``TraceStore.batch_get_traces``), in any order.
        dest: A folder path, ``file://`` URI or object-store URI (``s3://bucket/prefix``,
            ``gs://``, ``az://``, ... written through Ardea's artifact store of that URI).
        filesystem: A ``pyarrow.fs.FileSystem`` to write through instead (``dest`` is then
            a path inside it).
        row_group_spans: Spans per row group (a row group also ends at 10,000 traces).
        file_spans: Spans per part before the next part starts (a trace is never split).
        compression: The Parquet codec (``zstd``, ``snappy``, ``none``, ...).

    Returns:
        The paths (or URIs) of the files written, ``traces/`` and ``spans/`` of each part.
        Nothing when ``traces`` is empty.

    Raises:
        FailedPreconditionError: pyarrow is not installed (``pip install 'ardea[parquet]'``).
    """
    require("pyarrow")
    import pyarrow as pa

    location = Location(dest, filesystem=filesystem)
    prefix = f"part-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}"
    written: list[str] = []
    part: _Part | None = None
    trace_rows: list[dict[str, Any]] = []
    span_rows: list[dict[str, Any]] = []

    def flush() -> None:
        assert part is not None
        if trace_rows:
            part.traces.write_table(pa.Table.from_pylist(trace_rows, schema=traces_schema()))
            part.spans.write_table(pa.Table.from_pylist(span_rows, schema=spans_schema()))
            part.span_rows += len(span_rows)
        trace_rows.clear()
        span_rows.clear()

    try:
        for trace in traces:
            if part is None:
                part = _Part(location, f"{prefix}-{len(written) // 2:05d}.parquet", compression)
            experiment_id = trace.info.experiment_id
            trace_rows.append(trace_row(trace.info))
            span_rows.extend(span_row(s, experiment_id) for s in trace.spans)
            if len(span_rows) >= row_group_spans or len(trace_rows) >= ROW_GROUP_TRACES:
                flush()
                if part.span_rows >= file_spans:
                    part.close()
                    written.extend(location.name(n) for n in part.names)
                    part = None
        if part is not None:
            flush()
            part.close()
            written.extend(location.name(n) for n in part.names)
            part = None
    except BaseException as exc:
        if part is not None:
            part.close(exc)
        raise
    finally:
        location.close()
    return written
