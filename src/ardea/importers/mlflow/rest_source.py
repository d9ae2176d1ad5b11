"""A running MLflow server as an import source, over its REST API (no ``mlflow`` package).

Reads through Ardea's own REST stores (:func:`ardea.store.rest.backend.open_rest_backend`),
which speak MLflow's wire: every search is paged to its end. What the wire cannot give:

* metric histories come one ``metrics/get-history`` walk per run and key (the keys are those
  of the run's latest metrics), so a big import is faster from the database;
* a deleted run's deletion time, and soft-deleted logged models and model versions, are not
  served; deleted versions' numbers stay unused anyway, as numbers are kept;
* webhook secrets never come back over REST: webhooks are imported without one (DISABLED);
* artifacts are read through the server's artifact proxy (``mlflow-artifacts:/``); other
  artifact URIs (``s3://``, a folder) are opened directly, as the MLflow client would.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TypeVar

from ardea._core.errors import ArdeaError, InvalidArgumentError
from ardea.api.mlflow_trace_json import span_from_traces_json
from ardea.entities import (
    Experiment,
    LoggedModel,
    Metric,
    ModelVersion,
    PagedList,
    RegisteredModel,
    Run,
    Span,
    TraceInfo,
    ViewType,
)
from ardea.importers.mlflow.source import (
    METRIC_CHUNK,
    PROMPT_TAG,
    MlflowSource,
    SourceRun,
    SourceWebhook,
    merge_model_metrics,
)
from ardea.store.artifacts.base import ArtifactStore
from ardea.store.artifacts.resolve import resolve_artifact_store
from ardea.store.uri import redact_uri

__all__ = ["RestMlflowSource"]

T = TypeVar("T")
_PROMPTS = f"tags.`{PROMPT_TAG}` = 'true'"


def _pages(fetch: Callable[[str | None], PagedList[T]]) -> Iterator[T]:
    token: str | None = None
    while True:
        page = fetch(token)
        yield from page
        token = page.token
        if not token:
            return


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class RestMlflowSource(MlflowSource):
    """An MLflow (or Ardea) tracking server at ``url``."""

    def __init__(self, url: str) -> None:
        from ardea.store.rest.backend import open_rest_backend

        self.label = redact_uri(url.rstrip("/"))
        self.key = ("mlflow-rest:" + self.label)[:200]
        self._backend = open_rest_backend(url)
        self._model_metrics: dict[str, list[Metric]] = defaultdict(list)

    def close(self) -> None:
        """Close the HTTP client."""
        self._backend.close()

    def experiments(self) -> list[Experiment]:
        """Every experiment, active and deleted."""
        tracking = self._backend.tracking
        found = list(
            _pages(
                lambda token: tracking.search_experiments(
                    view_type=ViewType.ALL, max_results=1000, page_token=token
                )
            )
        )
        return sorted(found, key=lambda e: (len(e.experiment_id), e.experiment_id))

    def runs(self, experiment_id: str) -> Iterator[SourceRun]:
        """The experiment's runs, active and deleted."""
        tracking = self._backend.tracking
        runs = _pages(
            lambda token: tracking.search_runs(
                [experiment_id],
                run_view_type=ViewType.ALL,
                max_results=1000,
                order_by=["attributes.start_time ASC"],
                page_token=token,
            )
        )
        for run in runs:
            yield SourceRun(run=run)

    def metric_history(self, run: Run) -> Iterator[list[Metric]]:
        """Every key's history (``metrics/get-history``, pages of 25,000)."""
        tracking = self._backend.tracking
        run_id = run.info.run_id
        model_points = self._model_metrics.get(run_id, [])
        points: list[Metric] = []
        for key in dict.fromkeys(m.key for m in run.data.metrics):
            for m in _pages(
                lambda token, key=key: tracking.get_metric_history(  # type: ignore[misc]
                    run_id, key, max_results=25000, page_token=token
                )
            ):
                m.run_id = None
                points.append(m)
                if len(points) >= METRIC_CHUNK and not model_points:
                    yield points  # no model metrics to merge: stream
                    points = []
        points = merge_model_metrics(points, model_points)
        for i in range(0, len(points), METRIC_CHUNK):
            yield points[i : i + METRIC_CHUNK]

    def logged_models(self, experiment_id: str) -> Iterator[LoggedModel]:
        """The experiment's logged models; their metrics are kept for their runs' histories."""
        tracking = self._backend.tracking
        for model in _pages(
            lambda token: tracking.search_logged_models(
                [experiment_id], max_results=100, page_token=token
            )
        ):
            for m in model.metrics:
                run_id = m.run_id or model.source_run_id
                if run_id:
                    self._model_metrics[run_id].append(
                        Metric(
                            m.key,
                            m.value,
                            m.timestamp,
                            m.step,
                            m.dataset_name,
                            m.dataset_digest,
                            model.model_id,
                        )
                    )
            model.metrics = []
            yield model

    def traces(self, experiment_id: str) -> Iterator[TraceInfo]:
        """The experiment's traces (``traces/search``, pages of 500)."""
        traces = self._backend.traces
        yield from _pages(
            lambda token: traces.search_traces(
                [experiment_id], max_results=500, order_by=["timestamp_ms ASC"], page_token=token
            )
        )

    def spans(self, info: TraceInfo) -> list[Span]:
        """The trace's spans (``traces/get``, or its ``traces.json`` as the client reads it)."""
        traces = self._backend.traces
        spans: list[Span] = []
        try:
            trace = traces.get_trace(info.trace_id)
            spans = list(trace.spans)
            assessments = trace.info.assessments
        except ArdeaError:  # spans kept only as an artifact: GetTrace may refuse
            assessments = []
        if not info.assessments:  # a search answer leaves them out; GetTraceInfoV3 has them
            if not assessments:
                assessments = traces.get_trace_info(info.trace_id).assessments
            info.assessments = list(assessments)
        if not spans and info.tags.get("mlflow.trace.spansLocation") != "TRACKING_STORE":
            spans = self._traces_json(info)
        return spans

    def _traces_json(self, info: TraceInfo) -> list[Span]:
        """Spans from the trace's ``traces.json`` artifact, as the mlflow client reads them."""
        location = info.tags.get("mlflow.artifactLocation")
        store = self.artifacts(location) if location else None
        if store is None:
            return []
        try:
            doc = json.loads(store.get("traces.json"))
        except (ArdeaError, ValueError):
            return []
        finally:
            store.close()
        return [span_from_traces_json(s) for s in doc.get("spans") or []]

    def registered_models(self) -> Iterator[tuple[RegisteredModel, list[ModelVersion]]]:
        """Registered models, then prompts (the searches keep them apart), with versions."""
        registry = self._backend.registry
        for prompt_filter in (None, _PROMPTS):
            models = list(
                _pages(
                    lambda token, f=prompt_filter: registry.search_registered_models(  # type: ignore[misc]
                        f, max_results=1000, page_token=token
                    )
                )
            )
            for model in models:
                full = registry.get_registered_model(model.name)
                flt = f"name = {_quote(model.name)}"
                if prompt_filter:
                    flt += f" AND {prompt_filter}"
                versions = list(
                    _pages(
                        lambda token, flt=flt: registry.search_model_versions(  # type: ignore[misc]
                            flt, max_results=10000, page_token=token
                        )
                    )
                )
                yield full, sorted(versions, key=lambda v: int(v.version))

    def webhooks(self) -> Iterator[SourceWebhook]:
        """Webhooks (their secrets never come back over REST)."""
        hooks = self._backend.webhooks
        try:
            found = list(
                _pages(lambda token: hooks.list_webhooks(max_results=1000, page_token=token))
            )
        except ArdeaError:
            return
        for hook in found:
            yield SourceWebhook(webhook=hook, secret=None, had_secret=False)

    def artifacts(self, uri: str) -> ArtifactStore | None:
        """The server's artifact proxy for ``mlflow-artifacts:/``; other URIs directly."""
        if not uri:
            return None
        if uri.startswith("mlflow-artifacts:"):
            rest = uri.split(":", 1)[1]
            if rest.startswith("//"):
                rest = "/" + rest[2:].split("/", 1)[-1]
            return self._backend.artifacts_at(rest.strip("/"))
        try:
            return resolve_artifact_store(uri)
        except InvalidArgumentError:
            return None
