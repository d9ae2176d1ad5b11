"""The tracking store over a server's MLflow REST API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_json import (
    dataset_input_to_json,
    experiment_from_json,
    metric_from_json,
    metric_to_json,
    run_from_json,
    run_info_from_json,
)
from ardea.entities import (
    DatasetInput,
    Experiment,
    Metric,
    ModelOutput,
    PagedList,
    Param,
    Run,
    RunInfo,
    RunTag,
    ViewType,
)
from ardea.store.rest.batching import split_batch
from ardea.store.rest.http import RestClient
from ardea.store.rest.logged_models import RestLoggedModels
from ardea.store.tracking import SEARCH_MAX_RESULTS_DEFAULT, TrackingStore
from ardea.store.validation import validate_metric, validate_param, validate_run_tag

__all__ = ["RestTrackingStore"]

_API = "/api/2.0/mlflow"


def _view(view: ViewType | str) -> str:
    return view.value if isinstance(view, ViewType) else str(view)


class RestTrackingStore(RestLoggedModels, TrackingStore):
    """A :class:`TrackingStore` that is a client of an Ardea or MLflow server.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: Optional ready-made :class:`RestClient` (tests pass one with short backoff).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._own = rest is None
        self._rest = rest or RestClient(self.uri)
        self._closed = False

    @property
    def rest(self) -> RestClient:
        """The HTTP client this store sends through (shared with the backend's other stores)."""
        return self._rest

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._rest.call("POST", f"{_API}/{endpoint}", json=body)

    def _get(self, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._rest.call("GET", f"{_API}/{endpoint}", params=params)

    # Experiments
    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Sequence[tuple[str, str]] = (),
    ) -> str:
        """Create an experiment and return its id."""
        body: dict[str, Any] = {"name": name, "tags": [{"key": k, "value": v} for k, v in tags]}
        if artifact_location:
            body["artifact_location"] = artifact_location
        return str(self._post("experiments/create", body)["experiment_id"])

    def get_experiment(self, experiment_id: str) -> Experiment:
        """The experiment with this id."""
        out = self._get("experiments/get", {"experiment_id": experiment_id})
        return experiment_from_json(out["experiment"])

    def get_experiment_by_name(self, name: str) -> Experiment:
        """The experiment with this name."""
        out = self._get("experiments/get-by-name", {"experiment_name": name})
        return experiment_from_json(out["experiment"])

    def search_experiments(
        self,
        view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        """Experiments matching a filter, ordered and paged."""
        body: dict[str, Any] = {
            "view_type": _view(view_type),
            "max_results": max_results,
            "order_by": list(order_by),
        }
        if filter_string:
            body["filter"] = filter_string
        if page_token:
            body["page_token"] = page_token
        out = self._post("experiments/search", body)
        items = [experiment_from_json(e) for e in out.get("experiments") or []]
        return PagedList(items, out.get("next_page_token") or None)

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        """Rename an experiment."""
        self._post("experiments/update", {"experiment_id": experiment_id, "new_name": new_name})

    def delete_experiment(self, experiment_id: str) -> None:
        """Soft-delete an experiment."""
        self._post("experiments/delete", {"experiment_id": experiment_id})

    def restore_experiment(self, experiment_id: str) -> None:
        """Restore a deleted experiment."""
        self._post("experiments/restore", {"experiment_id": experiment_id})

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        """Set an experiment tag."""
        body = {"experiment_id": experiment_id, "key": key, "value": value}
        self._post("experiments/set-experiment-tag", body)

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """Delete an experiment tag."""
        self._post(
            "experiments/delete-experiment-tag", {"experiment_id": experiment_id, "key": key}
        )

    # Runs
    def create_run(
        self,
        experiment_id: str,
        user_id: str = "",
        start_time: int | None = None,
        tags: Sequence[RunTag] = (),
        run_name: str | None = None,
    ) -> Run:
        """Create a RUNNING run."""
        body: dict[str, Any] = {
            "experiment_id": experiment_id,
            "user_id": user_id,
            "tags": [{"key": t.key, "value": t.value} for t in tags],
        }
        if start_time is not None:
            body["start_time"] = start_time
        if run_name:
            body["run_name"] = run_name
        return run_from_json(self._post("runs/create", body)["run"])

    def get_run(self, run_id: str) -> Run:
        """The run with everything logged to it."""
        return run_from_json(self._get("runs/get", {"run_id": run_id})["run"])

    def update_run_info(
        self,
        run_id: str,
        status: str | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> RunInfo:
        """Change the given fields of a run."""
        body: dict[str, Any] = {"run_id": run_id, "run_uuid": run_id}
        for key, value in (("status", status), ("end_time", end_time), ("run_name", run_name)):
            if value is not None:
                body[key] = value
        return run_info_from_json(self._post("runs/update", body)["run_info"])

    def delete_run(self, run_id: str) -> None:
        """Soft-delete a run."""
        self._post("runs/delete", {"run_id": run_id})

    def restore_run(self, run_id: str) -> None:
        """Restore a deleted run."""
        self._post("runs/restore", {"run_id": run_id})

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        """Log metrics, params and tags, split into requests along MLflow's limits.

        Every entity is checked before the first request, so bad input stores nothing.
        """
        _validate(metrics, params, tags)
        for chunk in split_batch(metrics, params, tags):
            body = {
                "run_id": run_id,
                "metrics": [metric_to_json(m) for m in chunk.metrics],
                "params": [{"key": p.key, "value": p.value} for p in chunk.params],
                "tags": [{"key": t.key, "value": t.value} for t in chunk.tags],
            }
            self._post("runs/log-batch", body)

    def log_metric(self, run_id: str, metric: Metric) -> None:
        """Log one metric point (``runs/log-metric``)."""
        validate_metric(metric)
        self._post(
            "runs/log-metric", {"run_id": run_id, "run_uuid": run_id, **metric_to_json(metric)}
        )

    def log_param(self, run_id: str, param: Param) -> None:
        """Log one param (``runs/log-parameter``)."""
        body = {"run_id": run_id, "run_uuid": run_id, "key": param.key, "value": param.value}
        self._post("runs/log-parameter", body)

    def set_tag(self, run_id: str, tag: RunTag) -> None:
        """Set one run tag (``runs/set-tag``)."""
        body = {"run_id": run_id, "run_uuid": run_id, "key": tag.key, "value": tag.value}
        self._post("runs/set-tag", body)

    def delete_tag(self, run_id: str, key: str) -> None:
        """Delete a run tag."""
        self._post("runs/delete-tag", {"run_id": run_id, "key": key})

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        models: Sequence[str] = (),
    ) -> None:
        """Record dataset and model inputs."""
        body = {
            "run_id": run_id,
            "datasets": [dataset_input_to_json(d) for d in datasets],
            "models": [{"model_id": m} for m in models],
        }
        self._post("runs/log-inputs", body)

    def log_outputs(self, run_id: str, models: Sequence[ModelOutput]) -> None:
        """Record model outputs."""
        body = {
            "run_id": run_id,
            "models": [{"model_id": m.model_id, "step": m.step} for m in models],
        }
        self._post("runs/outputs", body)

    def get_metric_history(
        self,
        run_id: str,
        key: str,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> PagedList[Metric]:
        """Points of one metric; all pages when ``max_results`` is None."""
        params: dict[str, Any] = {"run_id": run_id, "run_uuid": run_id, "metric_key": key}
        if max_results is not None:
            params["max_results"] = max_results
            params["page_token"] = page_token
            out = self._get("metrics/get-history", params)
            items = [metric_from_json(m) for m in out.get("metrics") or []]
            return PagedList(items, out.get("next_page_token") or None)
        points: list[Metric] = []
        token = page_token
        while True:
            params.update(max_results=25000, page_token=token)
            out = self._get("metrics/get-history", params)
            points.extend(metric_from_json(m) for m in out.get("metrics") or [])
            token = out.get("next_page_token") or None
            if not token:
                return PagedList(points, None)

    def get_metric_history_bulk_interval(
        self,
        run_ids: Sequence[str],
        key: str,
        max_results: int = 2500,
        start_step: int | None = None,
        end_step: int | None = None,
    ) -> list[Metric]:
        """Sampled history of one metric over several runs."""
        params = {
            "run_ids": list(run_ids),
            "metric_key": key,
            "max_results": max_results,
            "start_step": start_step,
            "end_step": end_step,
        }
        out = self._get("metrics/get-history-bulk-interval", params)
        return [metric_from_json(m) for m in out.get("metrics") or []]

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        run_view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[Run]:
        """Runs matching a filter, ordered and paged."""
        body: dict[str, Any] = {
            "experiment_ids": list(experiment_ids),
            "run_view_type": _view(run_view_type),
            "max_results": max_results,
            "order_by": list(order_by),
        }
        if filter_string:
            body["filter"] = filter_string
        if page_token:
            body["page_token"] = page_token
        out = self._post("runs/search", body)
        runs = [run_from_json(r) for r in out.get("runs") or []]
        return PagedList(runs, out.get("next_page_token") or None)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Close the HTTP client if this store created it (a backend closes a shared one)."""
        self._closed = True
        if self._own:
            self._rest.close()


def _validate(metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag]) -> None:
    for i, m in enumerate(metrics):
        validate_metric(m, f"metrics[{i}]")
    for i, p in enumerate(params):
        validate_param(p, f"params[{i}]")
    for i, t in enumerate(tags):
        validate_run_tag(t, f"tags[{i}]")
    keys = [p.key for p in params]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise InvalidArgumentError(
            f"Duplicate parameter keys have been submitted: {dupes}. Please ensure the request "
            "contains only one param value per param key."
        )
