"""The tracking store contract: experiments, runs and logged models.

Backends: ``store.sql`` (SQLite, PostgreSQL, MySQL) and ``store.rest`` (an Ardea or MLflow
server over the MLflow wire protocol). The SDK cannot tell them apart, and the same contract
tests run against each. Invariants (unique names, param immutability, active-run checks,
limits) are enforced by the backend, inside its transactions.

Conventions: ``get_*`` raises :class:`ardea.NotFoundError`; ``search_*`` returns a
:class:`PagedList` whose ``token`` continues the search; times are epoch milliseconds.
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from ardea._core.errors import NotImplementedFeatureError
from ardea.entities import (
    DatasetInput,
    DatasetSummary,
    Experiment,
    LoggedModel,
    Metric,
    ModelOutput,
    PagedList,
    Param,
    Run,
    RunInfo,
    RunTag,
    ViewType,
)

MODEL_VERSIONS_TAG = "mlflow.modelVersions"
"""Logged-model tag listing the registered versions made from the model (JSON)."""

SEARCH_MAX_RESULTS_DEFAULT = 1000
SEARCH_MAX_RESULTS_LIMIT = 50000
DATASET_SUMMARIES_MAX_RESULTS = 1000
"""Most dataset summaries one search answers (MLflow's limit)."""


def parse_model_version_links(tags: Mapping[str, str]) -> list[dict[str, Any]]:
    """The ``{"name", "version"}`` links in a logged model's :data:`MODEL_VERSIONS_TAG`.

    A missing or malformed tag has none.
    """
    try:
        links = json.loads(tags.get(MODEL_VERSIONS_TAG) or "[]")
    except ValueError:
        return []
    return [x for x in links if isinstance(x, dict)] if isinstance(links, list) else []


class ExperimentStore(ABC):
    """Experiments and their tags."""

    @abstractmethod
    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Sequence[tuple[str, str]] = (),
    ) -> str:
        """Create an experiment and return its id; AlreadyExistsError if the name is taken.

        A relative folder as ``artifact_location`` is made absolute against the working
        directory of the process that stores it (a server's, over REST), as in MLflow.
        """

    @abstractmethod
    def get_experiment(self, experiment_id: str) -> Experiment:
        """The experiment with this id (active or deleted)."""

    @abstractmethod
    def get_experiment_by_name(self, name: str) -> Experiment:
        """The experiment with this name (active or deleted)."""

    @abstractmethod
    def search_experiments(
        self,
        view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        """Experiments matching the MLflow filter grammar, ordered and paged."""

    @abstractmethod
    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        """Rename an active experiment."""

    @abstractmethod
    def delete_experiment(self, experiment_id: str) -> None:
        """Soft-delete an experiment and its runs."""

    @abstractmethod
    def restore_experiment(self, experiment_id: str) -> None:
        """Restore a soft-deleted experiment and the runs deleted with it."""

    @abstractmethod
    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        """Set (or overwrite) an experiment tag."""

    @abstractmethod
    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """Delete an experiment tag; NotFoundError if it is not set."""


class RunStore(ABC):
    """Runs and everything logged to them."""

    @abstractmethod
    def create_run(
        self,
        experiment_id: str,
        user_id: str = "",
        start_time: int | None = None,
        tags: Sequence[RunTag] = (),
        run_name: str | None = None,
    ) -> Run:
        """Create a RUNNING run; a name is generated when none is given or tagged."""

    @abstractmethod
    def get_run(self, run_id: str) -> Run:
        """The run with its latest metrics, params, tags, inputs and outputs."""

    def experiment_of_run(self, run_id: str) -> str:
        """The id of the experiment a run belongs to (NotFoundError as :meth:`get_run`).

        The server's access checks ask it on every run request; stores answer it from one
        indexed lookup when they can (this default loads the whole run).
        """
        return self.get_run(run_id).info.experiment_id

    @abstractmethod
    def update_run_info(
        self,
        run_id: str,
        status: str | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> RunInfo:
        """Change only the given fields of a run."""

    @abstractmethod
    def delete_run(self, run_id: str) -> None:
        """Soft-delete a run."""

    @abstractmethod
    def restore_run(self, run_id: str) -> None:
        """Restore a soft-deleted run."""

    @abstractmethod
    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        """Log metrics, params and tags in one transaction: all of them or none."""

    def log_metric(self, run_id: str, metric: Metric) -> None:
        """Log one metric point."""
        self.log_batch(run_id, metrics=[metric])

    def log_param(self, run_id: str, param: Param) -> None:
        """Log one param; re-logging the same value is allowed, a new value is not."""
        self.log_batch(run_id, params=[param])

    def set_tag(self, run_id: str, tag: RunTag) -> None:
        """Set one run tag."""
        self.log_batch(run_id, tags=[tag])

    # Async forms of the hot write paths, for the server's event loop. The defaults run the
    # sync method in a worker thread; a backend with its own write queue (SQLite) overrides
    # them to wait on that queue directly and save a thread hop per request.

    async def create_run_async(
        self,
        experiment_id: str,
        user_id: str = "",
        start_time: int | None = None,
        tags: Sequence[RunTag] = (),
        run_name: str | None = None,
    ) -> Run:
        """Async form of :meth:`create_run`."""
        return await asyncio.to_thread(
            self.create_run, experiment_id, user_id, start_time, tags, run_name
        )

    async def log_batch_async(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        """Async form of :meth:`log_batch`."""
        await asyncio.to_thread(self.log_batch, run_id, metrics, params, tags)

    async def log_metric_async(self, run_id: str, metric: Metric) -> None:
        """Async form of :meth:`log_metric`."""
        await asyncio.to_thread(self.log_metric, run_id, metric)

    @abstractmethod
    def delete_tag(self, run_id: str, key: str) -> None:
        """Delete a run tag; NotFoundError if it is not set."""

    @abstractmethod
    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        models: Sequence[str] = (),
    ) -> None:
        """Record datasets (deduplicated per experiment by name and digest) and input models."""

    @abstractmethod
    def log_outputs(self, run_id: str, models: Sequence[ModelOutput]) -> None:
        """Record logged models the run produced."""

    def search_dataset_summaries(self, experiment_ids: Sequence[str]) -> list[DatasetSummary]:
        """The datasets the runs of these experiments used, once per (name, digest, context).

        At most :data:`DATASET_SUMMARIES_MAX_RESULTS`, ordered by experiment, name, digest and
        context. A non-integer experiment id is an InvalidArgumentError; backends without the
        lookup raise NotImplementedFeatureError (the default).
        """
        raise NotImplementedFeatureError("This backend cannot list the datasets of experiments.")

    @abstractmethod
    def get_metric_history(
        self,
        run_id: str,
        key: str,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> PagedList[Metric]:
        """All points of one metric, ordered by step, then timestamp."""

    @abstractmethod
    def get_metric_history_bulk_interval(
        self,
        run_ids: Sequence[str],
        key: str,
        max_results: int = 2500,
        start_step: int | None = None,
        end_step: int | None = None,
    ) -> list[Metric]:
        """Sampled history of one metric over several runs (MLflow's bulk-interval rules).

        Per run, at most ``max_results`` evenly spaced steps in the range are kept, always
        including the run's min and max step; points come ordered by run, step, timestamp,
        each with ``run_id`` set.
        """

    @abstractmethod
    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        run_view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[Run]:
        """Runs matching the MLflow filter grammar; default order start_time DESC, run_id."""

    def search_runs_wire(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        run_view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[dict[str, Any]]:
        """:meth:`search_runs` with each run as its MLflow ``Run`` JSON message.

        The server's search answer. Stores that can build the messages straight from their
        rows override it (the SQL store does); this default converts the entities.
        """
        from ardea.api.mlflow_json import run_to_json

        page = self.search_runs(
            experiment_ids, filter_string, run_view_type, max_results, order_by, page_token
        )
        return PagedList([run_to_json(r) for r in page], page.token)


class LoggedModelRun(NamedTuple):
    """A run linked to a logged model.

    The run it came from (``source``), a run that logged it as an output (at ``step``) or one
    that took it as an input.
    """

    run_id: str
    relation: Literal["source", "output", "input"]
    step: int | None = None


class LoggedModelStore(ABC):
    """MLflow 3 logged models."""

    @abstractmethod
    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Sequence[tuple[str, str]] = (),
        params: Sequence[tuple[str, str]] = (),
        model_type: str | None = None,
    ) -> LoggedModel:
        """Create a PENDING logged model with id ``m-<32 hex>``."""

    @abstractmethod
    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        """The logged model, with params, tags and metrics logged with its id."""

    @abstractmethod
    def finalize_logged_model(self, model_id: str, status: str) -> LoggedModel:
        """Set the status to READY or UPLOAD_FAILED."""

    @abstractmethod
    def delete_logged_model(self, model_id: str) -> None:
        """Soft-delete a logged model."""

    @abstractmethod
    def set_logged_model_tags(self, model_id: str, tags: Sequence[tuple[str, str]]) -> None:
        """Set tags on a logged model."""

    @abstractmethod
    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Delete a logged model tag."""

    def link_model_version(self, model_id: str, name: str, version: int) -> None:
        """Add version ``version`` of registered model ``name`` to the model's links.

        The links are the tag :data:`MODEL_VERSIONS_TAG`, a JSON list of ``{"name", "version"}``
        objects as MLflow keeps it; a link already there is not added again. NotFoundError for
        an unknown model. This default reads and rewrites the tag; the SQL store does it in
        one transaction.
        """
        links = parse_model_version_links(self.get_logged_model(model_id).tags)
        entry = {"name": name, "version": version}
        if entry not in links:
            value = json.dumps([*links, entry])
            self.set_logged_model_tags(model_id, [(MODEL_VERSIONS_TAG, value)])

    @abstractmethod
    def log_logged_model_params(self, model_id: str, params: Sequence[tuple[str, str]]) -> None:
        """Add params to a logged model."""

    @abstractmethod
    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 50,
        order_by: Sequence[dict[str, object]] = (),
        page_token: str | None = None,
        datasets: Sequence[dict[str, object]] = (),
    ) -> PagedList[LoggedModel]:
        """Logged models matching a filter, ordered and paged (MLflow 3.18's semantics).

        ``order_by`` items are ``{field_name, ascending, dataset_name?, dataset_digest?}``;
        ``datasets`` (``[{dataset_name, dataset_digest?}]``) limits metric filters and metric
        ordering to the points logged on one of them, and without a metric filter keeps the
        models with some point on one of them. A metric filter or order compares a model's
        latest point of the metric (highest step, then timestamp, then value).
        """

    def logged_model_runs(self, model_id: str, max_results: int = 1000) -> list[LoggedModelRun]:
        """The active runs linked to a logged model.

        Its source run first, then the runs that output it and the runs that used it as an
        input (at most ``max_results`` of each kind).
        NotFoundError for an unknown model; backends without the lookup raise
        NotImplementedFeatureError (the default).
        """
        raise NotImplementedFeatureError("This backend cannot list the runs of a logged model.")


class TrackingStore(ExperimentStore, RunStore, LoggedModelStore):
    """Everything the tracking SDK and server need from a backend."""

    def close(self) -> None:
        """Release connections and background threads."""
