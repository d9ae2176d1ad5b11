"""Online scoring over stored traces: backfill a time range, and a session's traces.

New traces are sampled where they are written (the trace stores do it in the write that ends
them: :mod:`ardea.store.online_sampling`, ``store/sql/online_scoring/sampler.py``); this
module serves what runs later over traces already stored.
"""

from __future__ import annotations

from collections.abc import Sequence

from ardea.entities import Trace
from ardea.store.backend import Backend
from ardea.store.online_sampling import SAFE_SESSION, items_for

__all__ = ["backfill", "session_traces"]

_CHUNK = 500  # traces per search page


def session_traces(backend: Backend, experiment_id: str, session_id: str) -> list[Trace]:
    """The traces of a session, oldest first (at most 500), with their spans."""
    if not SAFE_SESSION.fullmatch(session_id):
        return []
    page = backend.traces.search_traces(
        [str(experiment_id)],
        f"trace.session = '{session_id}'",
        max_results=_CHUNK,
        order_by=["timestamp_ms ASC"],
    )
    found = backend.traces.batch_get_traces([i.trace_id for i in page])
    return sorted(found, key=lambda t: (t.info.request_time, t.info.trace_id))


def backfill(
    backend: Backend,
    experiment_id: str,
    start_ms: int,
    end_ms: int,
    names: Sequence[str] = (),
) -> tuple[int, int]:
    """Enqueue the experiment's ended traces that started in ``[start_ms, end_ms]``.

    Each active scorer (those named, when ``names`` is given) samples and filters them as
    it would new traces (at its configured rate, not degraded); rows already there stay.

    Returns:
        (traces looked at, new rows stored).
    """
    scorers = backend.online_scoring.active_scorers(str(experiment_id))
    if names:
        wanted = set(names)
        scorers = [s for s in scorers if s.name in wanted]
    if not scorers:
        return 0, 0
    query = (
        f"trace.timestamp_ms >= {int(start_ms)} AND trace.timestamp_ms <= {int(end_ms)} "
        "AND trace.status != 'IN_PROGRESS'"
    )
    seen = added = 0
    token: str | None = None
    while True:
        page = backend.traces.search_traces(
            [str(experiment_id)], query, max_results=_CHUNK, page_token=token
        )
        ids = [info.trace_id for info in page]
        seen += len(ids)
        items = items_for(backend.traces, experiment_id, ids, scorers, 1.0)
        added += backend.online_scoring.enqueue(items) if items else 0
        token = page.token
        if not token:
            return seen, added
