"""Reading traces back: ``get_trace`` and ``search_traces`` on the fluent tracking URI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Trace
from ardea.fluent._state import get_client

if TYPE_CHECKING:
    from ardea.store.traces import TraceStore

__all__ = ["get_trace", "search_traces"]

_PAGE = 500
_COLUMNS = (
    "trace_id",
    "trace",
    "client_request_id",
    "state",
    "request_time",
    "execution_duration",
    "request_preview",
    "response_preview",
    "trace_metadata",
    "tags",
    "spans",
    "assessments",
)


def _store() -> TraceStore:
    from ardea.tracing.provider import flush

    flush()  # read your own writes: spans still queued are exported first
    return get_client().trace_store


def get_trace(trace_id: str) -> Trace:
    """A trace with all its spans (pending spans of this process are exported first).

    Args:
        trace_id: ``tr-`` + 32 hex.

    Returns:
        The :class:`Trace`.

    Raises:
        NotFoundError: No trace has this id.
    """
    return _store().get_trace(str(trace_id))


def search_traces(
    experiment_ids: Sequence[str] | None = None,
    filter_string: str | None = None,
    max_results: int | None = None,
    order_by: Sequence[str] | None = None,
    run_id: str | None = None,
    include_spans: bool = True,
    return_type: Literal["pandas", "list"] = "pandas",
) -> Any:
    """Traces matching MLflow's trace filter grammar, as a DataFrame or a list.

    Args:
        experiment_ids: Experiments to search (default: the active experiment).
        filter_string: e.g. ``"status = 'OK' AND tags.env = 'prod'"``.
        max_results: At most this many traces (None: all).
        order_by: e.g. ``["timestamp_ms DESC"]``.
        run_id: Only traces made inside this run.
        include_spans: Load the spans too (one batch request per ten traces on a server).
        return_type: ``"pandas"`` (needs pandas) or ``"list"`` (of :class:`Trace`).

    Returns:
        A ``pandas.DataFrame`` with MLflow's columns, or a list of :class:`Trace`.

    Raises:
        InvalidArgumentError: A bad filter, order or argument.
    """
    if return_type not in ("pandas", "list"):
        raise InvalidArgumentError(f"return_type must be 'pandas' or 'list', not {return_type!r}.")
    if max_results is not None and max_results < 1:
        raise InvalidArgumentError(f"max_results must be positive, got {max_results}.")
    if experiment_ids is None:
        from ardea.fluent._runs import current_experiment_id

        experiment_ids = [current_experiment_id()]
    if run_id:
        run_clause = f"run_id = '{run_id}'"
        filter_string = f"{filter_string} AND {run_clause}" if filter_string else run_clause
    store = _store()
    infos: list[Any] = []
    token: str | None = None
    while max_results is None or len(infos) < max_results:
        want = _PAGE if max_results is None else min(_PAGE, max_results - len(infos))
        page = store.search_traces(
            [str(e) for e in experiment_ids], filter_string, want, list(order_by or ()), token
        )
        infos.extend(page)
        token = page.token
        if not token:
            break
    traces = [Trace(info) for info in infos]
    if include_spans and traces:
        by_id = {t.info.trace_id: t for t in store.batch_get_traces([i.trace_id for i in infos])}
        traces = [by_id.get(t.info.trace_id, t) for t in traces]
    if return_type == "list":
        return traces
    import pandas as pd

    rows = [
        {
            "trace_id": t.info.trace_id,
            "trace": t,
            "client_request_id": t.info.client_request_id,
            "state": t.info.state,
            "request_time": t.info.request_time,
            "execution_duration": t.info.execution_duration,
            "request_preview": t.info.request_preview,
            "response_preview": t.info.response_preview,
            "trace_metadata": t.info.trace_metadata,
            "tags": t.info.tags,
            "spans": t.spans,
            "assessments": t.info.assessments,
        }
        for t in traces
    ]
    return pd.DataFrame(rows, columns=list(_COLUMNS))
