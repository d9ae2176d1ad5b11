"""Splitting a log_batch along MLflow's per-request limits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ardea.entities import Metric, Param, RunTag

__all__ = [
    "MAX_ENTITIES",
    "MAX_METRICS",
    "MAX_PARAMS",
    "MAX_REQUEST_BYTES",
    "MAX_TAGS",
    "BatchChunk",
    "split_batch",
]

MAX_METRICS = 1000
MAX_PARAMS = 100
MAX_TAGS = 100
MAX_ENTITIES = 1000
MAX_REQUEST_BYTES = 900_000
"""Budget for one request body, under the server's 1,000,000-byte limit."""

_OVERHEAD = 96  # JSON punctuation, field names, numbers of one entity, generously


@dataclass
class BatchChunk:
    """One request's share of a batch."""

    metrics: list[Metric] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    tags: list[RunTag] = field(default_factory=list)
    size: int = 0

    @property
    def count(self) -> int:
        """Number of entities in the chunk."""
        return len(self.metrics) + len(self.params) + len(self.tags)


def _size(item: Metric | Param | RunTag) -> int:
    if isinstance(item, Metric):
        return len(item.key.encode()) + _OVERHEAD
    return len(item.key.encode()) + len(item.value.encode()) + _OVERHEAD


def split_batch(
    metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag]
) -> Iterator[BatchChunk]:
    """Split a batch into chunks that each respect every MLflow limit.

    Params come first (so immutability errors surface early), then tags, then metrics.
    Each chunk holds at most 1000 metrics, 100 params, 100 tags, 1000 entities in all and
    about 900 kB of JSON.

    Args:
        metrics: Metric points.
        params: Params.
        tags: Run tags.

    Yields:
        Non-empty chunks, in order.
    """
    chunk = BatchChunk()
    items: list[Metric | Param | RunTag] = [*params, *tags, *metrics]
    for item in items:
        size = _size(item)
        if chunk.count and (
            chunk.count >= MAX_ENTITIES
            or chunk.size + size > MAX_REQUEST_BYTES
            or (isinstance(item, Param) and len(chunk.params) >= MAX_PARAMS)
            or (isinstance(item, RunTag) and len(chunk.tags) >= MAX_TAGS)
            or (isinstance(item, Metric) and len(chunk.metrics) >= MAX_METRICS)
        ):
            yield chunk
            chunk = BatchChunk()
        if isinstance(item, Metric):
            chunk.metrics.append(item)
        elif isinstance(item, Param):
            chunk.params.append(item)
        else:
            chunk.tags.append(item)
        chunk.size += size
    if chunk.count:
        yield chunk
