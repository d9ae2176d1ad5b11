"""ArdeaClient: the explicit tracking API, one method per store operation."""

from __future__ import annotations

import numbers
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea.client._alerts import AlertsMixin
from ardea.client._alignments import AlignmentsMixin
from ardea.client._artifacts import ArtifactsMixin
from ardea.client._assessments import AssessmentsMixin
from ardea.client._batcher import MetricBatcher
from ardea.client._issues import IssuesMixin
from ardea.client._online_scoring import OnlineScoringMixin
from ardea.client._prompts import PromptsMixin
from ardea.client._registry import RegistryMixin
from ardea.client._retention import RetentionMixin
from ardea.client._review import ReviewMixin
from ardea.client._webhooks import WebhooksMixin
from ardea.entities import (
    DatasetInput,
    Experiment,
    Metric,
    PagedList,
    Param,
    Run,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
)

if TYPE_CHECKING:
    from ardea.store.backend import Backend

__all__ = ["ArdeaClient"]

RUN_NAME_TAG = "mlflow.runName"


def metric_value(value: Any) -> float:
    """A metric value as a float; InvalidArgumentError for anything not a real number."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, bool):
        try:
            inner = item()
        except (TypeError, ValueError):
            inner = None
        if isinstance(inner, numbers.Real) and not isinstance(inner, bool):
            return float(inner)
    raise InvalidArgumentError(f"Metric value must be a number, got {value!r}.")


def _tags(tags: Mapping[str, Any] | None) -> list[RunTag]:
    return [RunTag(str(k), str(v)) for k, v in (tags or {}).items()]


class ArdeaClient(
    ArtifactsMixin,
    RegistryMixin,
    PromptsMixin,
    WebhooksMixin,
    AssessmentsMixin,
    OnlineScoringMixin,
    ReviewMixin,
    AlignmentsMixin,
    IssuesMixin,
    AlertsMixin,
    RetentionMixin,
):
    """The explicit API over one tracking backend (embedded store or server).

    Args:
        tracking_uri: ``http(s)://host:port``, ``sqlite:///path.db``, a folder or
            ``postgresql://...``. None: ``ARDEA_TRACKING_URI`` / ``MLFLOW_TRACKING_URI``,
            else the folder ``./ardea-data``.

    The backend (every store behind the URI, :class:`~ardea.store.backend.Backend`) is
    opened on first use and shared with other clients of the same URI. Metric points logged
    with ``synchronous=False`` go through one background batcher per client; :meth:`flush`
    waits for them.
    """

    def __init__(self, tracking_uri: str | None = None) -> None:
        self._lock = threading.RLock()
        self._tracking_uri_arg = tracking_uri
        self._backend: Backend | None = None
        self._batcher: MetricBatcher | None = None
        self._artifact_stores: dict[str, Any] = {}

    # Configuration
    @property
    def tracking_uri(self) -> str:
        """The tracking URI this client logs to (the default one resolved)."""
        if self._tracking_uri_arg:
            return self._tracking_uri_arg
        from ardea.store.uri import default_tracking_uri

        return default_tracking_uri()

    @property
    def backend(self) -> Backend:
        """Every store behind the tracking URI, opened on first use (reopened once closed)."""
        with self._lock:
            backend = self._backend
            if backend is None or backend.closed:
                from ardea.store.resolve import resolve_backend

                backend = self._backend = resolve_backend(self.tracking_uri)
            return backend

    def reconfigure(self, tracking_uri: str | None) -> None:
        """Point this client at another backend, in place (pending metrics are flushed first).

        Args:
            tracking_uri: The new tracking URI (None: from the environment or the default).
        """
        self.close()
        with self._lock:
            self._tracking_uri_arg = tracking_uri

    def flush(self) -> None:
        """Wait until every metric point logged asynchronously has been written.

        Raises:
            ArdeaError: Under ``ARDEA_STRICT=1``, the first background write failure.
        """
        if self._batcher is not None:
            self._batcher.flush()

    def close(self) -> None:
        """Flush pending metrics (never raising) and close the backend."""
        with self._lock:
            batcher, self._batcher = self._batcher, None
        if batcher is not None:
            batcher.close()  # outside the lock: its thread writes through self.store
        with self._lock:
            for art in self._artifact_stores.values():
                art.close()
            self._artifact_stores.clear()
            backend, self._backend = self._backend, None
            if backend is not None:
                backend.close()

    # Experiments
    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> str:
        """Create an experiment and return its id (AlreadyExistsError if the name is taken)."""
        pairs = [(str(k), str(v)) for k, v in (tags or {}).items()]
        return self.store.create_experiment(name, artifact_location, pairs)

    def get_experiment(self, experiment_id: str) -> Experiment:
        """The experiment with this id (NotFoundError if there is none)."""
        return self.store.get_experiment(str(experiment_id))

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        """The experiment with this name, or None (as MLflow's client does)."""
        try:
            return self.store.get_experiment_by_name(name)
        except NotFoundError:
            return None

    def search_experiments(
        self,
        view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = 1000,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        """One page of experiments matching an MLflow filter string."""
        return self.store.search_experiments(
            ViewType(view_type), max_results, filter_string or None, order_by or (), page_token
        )

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        """Rename an experiment."""
        self.store.rename_experiment(str(experiment_id), new_name)

    def delete_experiment(self, experiment_id: str) -> None:
        """Soft-delete an experiment and its runs."""
        self.store.delete_experiment(str(experiment_id))

    def restore_experiment(self, experiment_id: str) -> None:
        """Restore a soft-deleted experiment."""
        self.store.restore_experiment(str(experiment_id))

    def set_experiment_tag(self, experiment_id: str, key: str, value: Any) -> None:
        """Set an experiment tag (the value is stringified)."""
        self.store.set_experiment_tag(str(experiment_id), key, str(value))

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """Delete an experiment tag."""
        self.store.delete_experiment_tag(str(experiment_id), key)

    # Runs
    def create_run(
        self,
        experiment_id: str,
        start_time: int | None = None,
        tags: Mapping[str, Any] | None = None,
        run_name: str | None = None,
        user_id: str = "",
    ) -> Run:
        """Create a RUNNING run (a name is generated when none is given)."""
        run_tags = _tags(tags)
        if run_name and not any(t.key == RUN_NAME_TAG for t in run_tags):
            run_tags.append(RunTag(RUN_NAME_TAG, run_name))
        return self.store.create_run(
            str(experiment_id), user_id, start_time or now_ms(), run_tags, run_name
        )

    def get_run(self, run_id: str) -> Run:
        """The run with its latest metrics, params, tags and inputs."""
        return self.store.get_run(run_id)

    def update_run(self, run_id: str, status: str | None = None, name: str | None = None) -> None:
        """Change a run's status and/or name."""
        if status is not None:
            RunStatus(status)
        self.store.update_run_info(run_id, status=status, run_name=name)

    def set_terminated(
        self, run_id: str, status: str | None = None, end_time: int | None = None
    ) -> RunInfo:
        """End a run: flush its pending metrics, then set status (FINISHED) and end time."""
        status = RunStatus(status or RunStatus.FINISHED.value).value
        try:
            self.flush()
        finally:
            info = self.store.update_run_info(run_id, status=status, end_time=end_time or now_ms())
        return info

    def delete_run(self, run_id: str) -> None:
        """Soft-delete a run."""
        self.store.delete_run(run_id)

    def restore_run(self, run_id: str) -> None:
        """Restore a soft-deleted run."""
        self.store.restore_run(run_id)

    def log_param(self, run_id: str, key: str, value: Any) -> Any:
        """Log a param (stringified); returns ``value``."""
        self.store.log_param(run_id, Param(key, str(value)))
        return value

    def log_metric(
        self,
        run_id: str,
        key: str,
        value: float,
        timestamp: int | None = None,
        step: int | None = None,
        synchronous: bool = True,
        dataset_name: str | None = None,
        dataset_digest: str | None = None,
        model_id: str | None = None,
    ) -> None:
        """Log one metric point; with ``synchronous=False`` it is queued for the batcher."""
        metric = Metric(
            key,
            metric_value(value),
            int(timestamp) if timestamp is not None else now_ms(),
            int(step or 0),
            dataset_name,
            dataset_digest,
            model_id,
        )
        if synchronous:
            self.store.log_metric(run_id, metric)
        else:
            self._get_batcher().submit(run_id, metric)

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
        synchronous: bool = True,
    ) -> None:
        """Log metrics, params and tags; with ``synchronous=False`` metrics are queued."""
        if synchronous or params or tags:
            self.store.log_batch(run_id, list(metrics) if synchronous else [], params, tags)
        if not synchronous:
            batcher = self._get_batcher()
            for metric in metrics:
                batcher.submit(run_id, metric)

    def set_tag(self, run_id: str, key: str, value: Any) -> None:
        """Set a run tag (stringified)."""
        self.store.set_tag(run_id, RunTag(key, str(value)))

    def delete_tag(self, run_id: str, key: str) -> None:
        """Delete a run tag."""
        self.store.delete_tag(run_id, key)

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] | None = None,
        models: Sequence[str] | None = None,
    ) -> None:
        """Record dataset and model inputs of a run."""
        self.store.log_inputs(run_id, datasets or (), models or ())

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        """Every point of one metric, ordered by step then timestamp."""
        return list(self.store.get_metric_history(run_id, key))

    def search_runs(
        self,
        experiment_ids: Sequence[str] | str,
        filter_string: str = "",
        run_view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = 1000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]:
        """One page of runs matching an MLflow filter string."""
        ids = [experiment_ids] if isinstance(experiment_ids, str) else list(experiment_ids)
        return self.store.search_runs(
            [str(i) for i in ids],
            filter_string or None,
            ViewType(run_view_type),
            max_results,
            order_by or (),
            page_token,
        )

    def _get_batcher(self) -> MetricBatcher:
        with self._lock:
            if self._batcher is None:
                self._batcher = MetricBatcher(self._write_metrics)
            return self._batcher

    def _write_metrics(self, run_id: str, metrics: list[Metric]) -> None:
        self.store.log_batch(run_id, metrics=metrics)
