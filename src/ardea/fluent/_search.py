"""search_runs for the fluent API, with MLflow's DataFrame output."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Run, ViewType
from ardea.fluent._runs import current_experiment_id
from ardea.fluent._state import get_client

__all__ = ["runs_to_frame", "search_runs"]

SEARCH_MAX_RESULTS_PANDAS = 100_000
_PAGE = 10_000
INFO_COLUMNS = ("run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time")


def _experiment_ids(
    experiment_ids: Sequence[str] | str | None,
    experiment_names: Sequence[str] | None,
    search_all_experiments: bool,
) -> list[str]:
    client = get_client()
    if isinstance(experiment_ids, str):
        experiment_ids = [experiment_ids]
    ids = [str(i) for i in experiment_ids or []]
    for name in experiment_names or []:
        experiment = client.get_experiment_by_name(name)
        if experiment is not None:
            ids.append(experiment.experiment_id)
    if ids or experiment_names:
        return ids
    if search_all_experiments:
        token = None
        while True:
            page = client.search_experiments(ViewType.ALL, page_token=token)
            ids.extend(e.experiment_id for e in page)
            token = page.token
            if not token:
                return ids
    return [current_experiment_id()]


def search_runs(
    experiment_ids: Sequence[str] | str | None = None,
    filter_string: str = "",
    run_view_type: ViewType = ViewType.ACTIVE_ONLY,
    max_results: int = SEARCH_MAX_RESULTS_PANDAS,
    order_by: Sequence[str] | None = None,
    output_format: str = "pandas",
    search_all_experiments: bool = False,
    experiment_names: Sequence[str] | None = None,
) -> Any:
    """Runs matching an MLflow filter string, across pages.

    Args:
        experiment_ids: Experiments to search (default: the active experiment).
        filter_string: MLflow filter, e.g. ``"metrics.acc > 0.9 and params.C = '1'"``.
        run_view_type: ACTIVE_ONLY, DELETED_ONLY or ALL.
        max_results: Most runs returned.
        order_by: Clauses such as ``["metrics.acc DESC"]``.
        output_format: ``"pandas"`` (a DataFrame with MLflow's columns) or ``"list"``.
        search_all_experiments: Search every experiment when no id or name is given.
        experiment_names: Experiments to search, by name.

    Returns:
        A pandas DataFrame, or a list of :class:`Run`.

    Raises:
        InvalidArgumentError: A bad filter, order-by or output format.
    """
    if output_format not in ("pandas", "list"):
        raise InvalidArgumentError(
            f"output_format must be 'pandas' or 'list', not {output_format!r}."
        )
    if max_results <= 0:
        raise InvalidArgumentError("max_results must be positive.")
    client = get_client()
    client.flush()
    ids = _experiment_ids(experiment_ids, experiment_names, search_all_experiments)
    runs: list[Run] = []
    token = None
    while ids and len(runs) < max_results:
        size = min(_PAGE, max_results - len(runs))
        page = client.search_runs(ids, filter_string, run_view_type, size, order_by, token)
        runs.extend(page)
        token = page.token
        if not token:
            break
    if output_format == "list":
        return runs
    return runs_to_frame(runs)


def runs_to_frame(runs: Sequence[Run]) -> Any:
    """Runs as a DataFrame with MLflow's columns.

    The columns are run_id, experiment_id, status, artifact_uri, start_time, end_time (UTC
    datetimes), then ``metrics.*``, ``params.*`` and ``tags.*``, each group sorted.

    Raises:
        InvalidArgumentError: pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError as exc:
        raise InvalidArgumentError(
            "search_runs(output_format='pandas') needs pandas: pip install pandas, "
            "or pass output_format='list'."
        ) from exc
    metric_keys = sorted({m.key for r in runs for m in r.data.metrics})
    param_keys = sorted({k for r in runs for k in r.data.params})
    tag_keys = sorted({k for r in runs for k in r.data.tags})
    nan = float("nan")  # a run without an end time: NaT
    columns: dict[str, Any] = {
        "run_id": [r.info.run_id for r in runs],
        "experiment_id": [r.info.experiment_id for r in runs],
        "status": [r.info.status for r in runs],
        "artifact_uri": [r.info.artifact_uri for r in runs],
        "start_time": pd.to_datetime(
            [nan if r.info.start_time is None else r.info.start_time for r in runs],
            unit="ms",
            utc=True,
        ),
        "end_time": pd.to_datetime(
            [nan if r.info.end_time is None else r.info.end_time for r in runs], unit="ms", utc=True
        ),
    }
    latest = [r.data.metric_values for r in runs]
    for key in metric_keys:
        columns[f"metrics.{key}"] = [m.get(key, float("nan")) for m in latest]
    for key in param_keys:
        columns[f"params.{key}"] = [r.data.params.get(key) for r in runs]
    for key in tag_keys:
        columns[f"tags.{key}"] = [r.data.tags.get(key) for r in runs]
    return pd.DataFrame(columns)
