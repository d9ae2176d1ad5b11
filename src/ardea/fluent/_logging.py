"""Logging to the active run: params, metrics, tags, artifacts and dataset inputs.

Every function logs to ``run_id`` when given, else to this context's active run, starting
one when none is active (as MLflow does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ardea._core.ids import now_ms
from ardea.client._client import metric_value
from ardea.entities import Metric, Param, RunTag
from ardea.fluent._datasets import to_dataset_input
from ardea.fluent._runs import active_run_id
from ardea.fluent._state import get_client

__all__ = [
    "delete_tag",
    "flush",
    "get_metric_history",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_image",
    "log_input",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "set_tag",
    "set_tags",
]


def log_param(key: str, value: Any, run_id: str | None = None) -> Any:
    """Log a param (stringified) and return ``value``; params cannot change once logged."""
    return get_client().log_param(run_id or active_run_id(), key, value)


def log_params(params: Mapping[str, Any], run_id: str | None = None) -> None:
    """Log several params in one request."""
    items = [Param(str(k), str(v)) for k, v in params.items()]
    get_client().log_batch(run_id or active_run_id(), params=items)


def log_metric(
    key: str,
    value: float,
    step: int | None = None,
    timestamp: int | None = None,
    synchronous: bool = False,
    run_id: str | None = None,
    model_id: str | None = None,
) -> None:
    """Log a metric point without blocking.

    The point is queued and written in the background (batched); background failures are
    logged, never raised here. With ``synchronous=True`` the point is written at once and
    errors raise.

    Args:
        key: Metric name.
        value: A real number (NaN and infinities allowed).
        step: Training step (default 0).
        timestamp: Epoch milliseconds (default now).
        synchronous: Write now instead of in the background.
        run_id: Target run (default: the active run).
        model_id: Logged model the point belongs to.
    """
    get_client().log_metric(
        run_id or active_run_id(),
        key,
        value,
        timestamp=timestamp,
        step=step,
        synchronous=synchronous,
        model_id=model_id,
    )


def log_metrics(
    metrics: Mapping[str, float],
    step: int | None = None,
    synchronous: bool = False,
    run_id: str | None = None,
    timestamp: int | None = None,
) -> None:
    """Log several metric points with one step and timestamp (background unless synchronous)."""
    ts = int(timestamp) if timestamp is not None else now_ms()
    points = [Metric(str(k), metric_value(v), ts, int(step or 0)) for k, v in metrics.items()]
    get_client().log_batch(run_id or active_run_id(), metrics=points, synchronous=synchronous)


def set_tag(key: str, value: Any, run_id: str | None = None) -> None:
    """Set a tag on the active run (stringified)."""
    get_client().set_tag(run_id or active_run_id(), key, value)


def set_tags(tags: Mapping[str, Any], run_id: str | None = None) -> None:
    """Set several tags in one request."""
    items = [RunTag(str(k), str(v)) for k, v in tags.items()]
    get_client().log_batch(run_id or active_run_id(), tags=items)


def delete_tag(key: str, run_id: str | None = None) -> None:
    """Delete a tag of the active run."""
    get_client().delete_tag(run_id or active_run_id(), key)


def log_artifact(
    local_path: str, artifact_path: str | None = None, run_id: str | None = None
) -> None:
    """Upload a local file into the active run's artifacts."""
    get_client().log_artifact(run_id or active_run_id(), str(local_path), artifact_path)


def log_artifacts(
    local_dir: str, artifact_path: str | None = None, run_id: str | None = None
) -> None:
    """Upload a local folder (recursively) into the active run's artifacts."""
    get_client().log_artifacts(run_id or active_run_id(), str(local_dir), artifact_path)


def log_dict(dictionary: dict[str, Any], artifact_file: str, run_id: str | None = None) -> None:
    """Save a dict as a JSON (or YAML) artifact file."""
    get_client().log_dict(run_id or active_run_id(), dictionary, artifact_file)


def log_text(text: str, artifact_file: str, run_id: str | None = None) -> None:
    """Save text as an artifact file."""
    get_client().log_text(run_id or active_run_id(), text, artifact_file)


def log_figure(
    figure: Any,
    artifact_file: str,
    *,
    save_kwargs: dict[str, Any] | None = None,
    run_id: str | None = None,
) -> None:
    """Save a matplotlib or plotly figure as an artifact file (format from the extension)."""
    get_client().log_figure(
        run_id or active_run_id(), figure, artifact_file, save_kwargs=save_kwargs
    )


def log_image(image: Any, artifact_file: str, run_id: str | None = None) -> None:
    """Save a PIL image or numpy array as an image artifact file."""
    get_client().log_image(run_id or active_run_id(), image, artifact_file)


def log_table(data: Any, artifact_file: str, run_id: str | None = None) -> None:
    """Save a dict of columns or a DataFrame as a JSON table artifact (MLflow's format)."""
    get_client().log_table(run_id or active_run_id(), data, artifact_file)


def log_input(
    dataset: Any,
    context: str | None = None,
    tags: Mapping[str, Any] | None = None,
    run_id: str | None = None,
) -> None:
    """Record a dataset as an input of the active run.

    Args:
        dataset: An MLflow or Ardea dataset object, a pandas DataFrame or a numpy array;
            name, digest, schema and profile are computed for the last two.
        context: What the run used it for (``training``, ``eval``...), tag
            ``mlflow.data.context``.
        tags: More input tags.
        run_id: Target run (default: the active run).
    """
    item = to_dataset_input(dataset, context, tags)
    get_client().log_inputs(run_id or active_run_id(), datasets=[item])


def get_metric_history(run_id: str, key: str) -> list[Metric]:
    """Every point of one metric of a run, ordered by step then timestamp."""
    client = get_client()
    client.flush()
    return client.get_metric_history(run_id, key)


def flush() -> None:
    """Wait until everything logged in the background (metric points, spans) is written.

    Raises:
        ArdeaError: Under ``ARDEA_STRICT=1``, the first background failure since the last
            flush (for traces: spans dropped or failed to export).
    """
    get_client().flush()
    from ardea.tracing.provider import flush as flush_traces

    flush_traces()
