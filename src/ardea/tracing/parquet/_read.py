"""``read_traces``: whole :class:`Trace` entities back from a Parquet dataset, streamed."""

from __future__ import annotations

import importlib
import os
from collections.abc import Collection, Iterator
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Span, Trace
from ardea.tracing.parquet._deps import require
from ardea.tracing.parquet._location import Location
from ardea.tracing.parquet._schema import info_from_row, span_from_row

_BATCH_ROWS = 8192


def read_traces(
    source: str | os.PathLike[str],
    *,
    filesystem: Any = None,
    trace_ids: Collection[str] | None = None,
) -> Iterator[Trace]:
    """The traces of a dataset :func:`write_traces` wrote, whole (records and spans).

    Parts are read one after another and each a batch at a time, so memory holds one batch of
    traces and their spans, never the dataset. Within a part, spans come in the order of their
    traces (the writer's guarantee, checked here).

    Args:
        source: The dataset folder: a path, ``file://`` URI or object-store URI.
        filesystem: A ``pyarrow.fs.FileSystem`` to read through (``source`` is a path in it).
        trace_ids: Only these traces (a part none of them is in is skipped after reading its
            ``trace_id`` column; other traces' spans are skipped without being decoded).

    Yields:
        Each trace, in the order written.

    Raises:
        InvalidArgumentError: A part whose spans are not in the order of its traces, or
            whose spans name a trace the part does not hold.
        FailedPreconditionError: pyarrow is not installed (``pip install 'ardea[parquet]'``).
    """
    require("pyarrow")
    location = Location(source, filesystem=filesystem)
    try:
        wanted = None if trace_ids is None else frozenset(trace_ids)
        for part in location.parts():
            yield from _read_part(location, part, wanted)
    finally:
        location.close()


def _rows(file: Any, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
    pq: Any = importlib.import_module("pyarrow.parquet")

    reader = pq.ParquetFile(file)
    for batch in reader.iter_batches(batch_size=_BATCH_ROWS, columns=columns):
        yield from batch.to_pylist()


def _holds_any(file: Any, wanted: frozenset[str]) -> bool:
    pq: Any = importlib.import_module("pyarrow.parquet")
    ids = pq.ParquetFile(file).read(columns=["trace_id"]).column("trace_id").to_pylist()
    return not wanted.isdisjoint(ids)


def _read_part(location: Location, part: str, wanted: frozenset[str] | None) -> Iterator[Trace]:
    with (
        location.reading(f"traces/{part}") as traces_file,
        location.reading(f"spans/{part}") as spans_file,
    ):
        if traces_file is None or (wanted is not None and not _holds_any(traces_file, wanted)):
            return
        spans = _rows(spans_file) if spans_file is not None else iter(())
        pending: dict[str, Any] | None = next(spans, None)
        for row in _rows(traces_file):
            trace_id = row["trace_id"]
            keep = wanted is None or trace_id in wanted
            own: list[Span] = []
            while pending is not None and pending["trace_id"] == trace_id:
                if keep:
                    own.append(span_from_row(pending))
                pending = next(spans, None)
            if keep:
                yield Trace(info=info_from_row(row), spans=own)
        if pending is not None:
            raise InvalidArgumentError(
                f"Parquet part {part!r}: span {pending['span_id']!r} of trace "
                f"{pending['trace_id']!r} is out of order or names a trace the part lacks"
            )
