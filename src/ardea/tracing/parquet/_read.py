"""``read_traces``: whole :class:`Trace` entities back from a Parquet dataset, streamed."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Span, Trace
from ardea.tracing.parquet._location import Location
from ardea.tracing.parquet._schema import info_from_row, span_from_row

_BATCH_ROWS = 8192


def read_traces(source: str | os.PathLike[str], *, filesystem: Any = None) -> Iterator[Trace]:
    """The traces of a dataset :func:`write_traces` wrote, whole (records and spans).

    Parts are read one after another and each a batch at a time, so memory holds one batch of
    traces and their spans, never the dataset. Within a part, spans come in the order of their
    traces (the writer's guarantee, checked here).

    Args:
        source: The dataset folder: a path, ``file://`` URI or object-store URI.
        filesystem: A ``pyarrow.fs.FileSystem`` to read through (``source`` is a path in it).

    Yields:
        Each trace, in the order written.

    Raises:
        InvalidArgumentError: A part whose spans are not in the order of its traces, or
            whose spans name a trace the part does not hold.
    """
    location = Location(source, filesystem=filesystem)
    try:
        for part in location.parts():
            yield from _read_part(location, part)
    finally:
        location.close()


def _rows(file: Any, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
    pq: Any = importlib.import_module("pyarrow.parquet")

    reader = pq.ParquetFile(file)
    for batch in reader.iter_batches(batch_size=_BATCH_ROWS, columns=columns):
        yield from batch.to_pylist()


def _read_part(location: Location, part: str) -> Iterator[Trace]:
    with (
        location.reading(f"traces/{part}") as traces_file,
        location.reading(f"spans/{part}") as spans_file,
    ):
        if traces_file is None:
            return
        spans = _rows(spans_file) if spans_file is not None else iter(())
        pending: dict[str, Any] | None = next(spans, None)
        for row in _rows(traces_file):
            info = info_from_row(row)
            own: list[Span] = []
            while pending is not None and pending["trace_id"] == info.trace_id:
                own.append(span_from_row(pending))
                pending = next(spans, None)
            yield Trace(info=info, spans=own)
        if pending is not None:
            raise InvalidArgumentError(
                f"Parquet part {part!r}: span {pending['span_id']!r} of trace "
                f"{pending['trace_id']!r} is out of order or names a trace the part lacks"
            )
