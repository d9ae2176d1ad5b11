"""Export a store's traces (by experiment, time range and filter) into a Parquet dataset.

Pages through ``TraceStore.search_traces`` (oldest first) and loads each page whole with
``batch_get_traces``, so any store works: the embedded SQL store or a server over REST.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ardea.entities import Trace
from ardea.store.traces import SEARCH_TRACES_LIMIT, TraceStore
from ardea.tracing.parquet._write import write_traces

PAGE_SIZE = 100
"""Traces searched and loaded per round trip."""


@dataclass
class ExportStats:
    """How far an export is.

    Attributes:
        traces: Traces written so far.
        spans: Spans written so far.
        total: Traces that matched when the export started (None when not counted).
        elapsed: Seconds since the export started.
        files: The files written (set when the export is done).
    """

    traces: int = 0
    spans: int = 0
    total: int | None = None
    elapsed: float = 0.0
    files: list[str] = field(default_factory=list)

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far (None before the first trace or without a total)."""
        if self.total is None or self.traces == 0:
            return None
        return max(self.total - self.traces, 0) * self.elapsed / self.traces


def time_filter(
    filter_string: str | None, since_ms: int | None = None, until_ms: int | None = None
) -> str | None:
    """``filter_string`` AND ``since_ms <= timestamp_ms < until_ms`` (the grammar is AND-only)."""
    clauses = [filter_string.strip()] if filter_string and filter_string.strip() else []
    if since_ms is not None:
        clauses.append(f"timestamp_ms >= {int(since_ms)}")
    if until_ms is not None:
        clauses.append(f"timestamp_ms < {int(until_ms)}")
    return " AND ".join(clauses) or None


def _pages(
    store: TraceStore, experiment_ids: Sequence[str], filter_string: str | None, size: int
) -> Iterator[list[str]]:
    token: str | None = None
    while True:
        page = store.search_traces(
            list(experiment_ids), filter_string, size, ["timestamp_ms ASC"], token
        )
        if len(page):
            yield [info.trace_id for info in page]
        token = page.token
        if not token:
            return


def export_traces(
    store: TraceStore,
    experiment_ids: Sequence[str],
    dest: str | os.PathLike[str],
    *,
    filter_string: str | None = None,
    since_ms: int | None = None,
    until_ms: int | None = None,
    page_size: int = PAGE_SIZE,
    count_first: bool = True,
    on_progress: Callable[[ExportStats], None] | None = None,
    filesystem: Any = None,
) -> ExportStats:
    """Write the matching traces of ``experiment_ids`` to a Parquet dataset at ``dest``.

    Args:
        store: Any trace store (``ArdeaClient(uri).trace_store``).
        experiment_ids: The experiments to export.
        dest: Where to write (see :func:`~ardea.tracing.parquet.write_traces`).
        filter_string: A trace search filter (the ``search_traces`` grammar).
        since_ms: Only traces that started at or after this time (epoch ms).
        until_ms: Only traces that started before this time (epoch ms).
        page_size: Traces per search page and batch load (at most 500).
        count_first: Count the matching traces first (one more pass of searches), so that
            progress can tell an ETA.
        on_progress: Called after each page with the stats so far, and once at the end.
        filesystem: A ``pyarrow.fs.FileSystem`` to write through.

    Returns:
        The final stats, with the files written.

    Raises:
        InvalidArgumentError: The filter does not parse (before anything is written).
    """
    size = max(1, min(page_size, SEARCH_TRACES_LIMIT))
    query = time_filter(filter_string, since_ms, until_ms)
    stats = ExportStats()
    started = time.monotonic()
    if count_first:
        stats.total = sum(len(ids) for ids in _pages(store, experiment_ids, query, 500))

    def traces() -> Iterator[Trace]:
        for ids in _pages(store, experiment_ids, query, size):
            loaded = {t.info.trace_id: t for t in store.batch_get_traces(ids)}
            for trace_id in ids:  # search order (a trace deleted meanwhile is skipped)
                trace = loaded.get(trace_id)
                if trace is not None:
                    stats.traces += 1
                    stats.spans += len(trace.spans)
                    yield trace
            stats.elapsed = time.monotonic() - started
            if on_progress is not None:
                on_progress(stats)

    stats.files = write_traces(traces(), dest, filesystem=filesystem)
    stats.elapsed = time.monotonic() - started
    if on_progress is not None:
        on_progress(stats)
    return stats
