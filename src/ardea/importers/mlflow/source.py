"""What ``ardea import mlflow`` reads from MLflow: one small interface, two sources.

:class:`MlflowSource` hands out MLflow's data as Ardea entities, in MLflow's ids (the
importer maps experiment ids and artifact URIs). The two implementations are
:class:`~ardea.importers.mlflow.sql_source.SqlMlflowSource` (MLflow's database, read with
SQLAlchemy Core, plus its artifact root) and
:class:`~ardea.importers.mlflow.rest_source.RestMlflowSource` (a running MLflow server, over
its REST API and its artifact proxy).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ardea.entities import (
    Experiment,
    LoggedModel,
    Metric,
    ModelVersion,
    RegisteredModel,
    Run,
    Span,
    TraceInfo,
)
from ardea.entities.webhook import Webhook
from ardea.store.artifacts.base import ArtifactStore

__all__ = [
    "METRIC_CHUNK",
    "PROMPT_TAG",
    "MlflowSource",
    "SourceRun",
    "SourceWebhook",
    "merge_model_metrics",
]

METRIC_CHUNK = 50_000
"""Metric points per chunk handed to the destination (one insert batch)."""

PROMPT_TAG = "mlflow.prompt.is_prompt"


@dataclass(slots=True)
class SourceRun:
    """A run as the source has it (experiment id and artifact URI in the source's terms)."""

    run: Run
    deleted_time: int | None = None


@dataclass(slots=True)
class SourceWebhook:
    """A webhook, its secret if the source could hand it out, and whether it had one."""

    webhook: Webhook
    secret: str | None
    had_secret: bool


class MlflowSource(ABC):
    """MLflow's data, entity by entity.

    Attributes:
        key: Names the source in the import ledger (stable across runs of the import).
        label: For messages (credentials redacted).
    """

    key: str
    label: str

    @abstractmethod
    def experiments(self) -> list[Experiment]:
        """Every experiment, active and deleted, with its tags."""

    @abstractmethod
    def runs(self, experiment_id: str) -> Iterator[SourceRun]:
        """The experiment's runs (active and deleted) with params, tags, inputs, outputs."""

    @abstractmethod
    def metric_history(self, run: Run) -> Iterator[list[Metric]]:
        """The run's full metric history in chunks; points of logged models carry model_id."""

    @abstractmethod
    def logged_models(self, experiment_id: str) -> Iterator[LoggedModel]:
        """The experiment's logged models with tags and params."""

    @abstractmethod
    def traces(self, experiment_id: str) -> Iterator[TraceInfo]:
        """The experiment's trace records, with tags, metadata and assessments."""

    @abstractmethod
    def spans(self, info: TraceInfo) -> list[Span]:
        """A trace's spans (from the spans table, or its ``traces.json`` artifact).

        May complete ``info`` with what a listing left out (a REST search answers
        without assessments): the importer reads ``info.assessments`` after this call.
        """

    @abstractmethod
    def registered_models(self) -> Iterator[tuple[RegisteredModel, list[ModelVersion]]]:
        """Every registered model and prompt, with tags and aliases, and its versions."""

    @abstractmethod
    def webhooks(self) -> Iterator[SourceWebhook]:
        """Every (not deleted) webhook."""

    @abstractmethod
    def artifacts(self, uri: str) -> ArtifactStore | None:
        """The store rooted at a source artifact URI; None when it cannot be read."""

    def totals(self, experiment_ids: Sequence[str]) -> dict[str, int]:
        """Cheap totals over these experiments: ``metric_points``, ``spans``, ``assessments``.

        A kind left out is counted by the importer over the units it reads in this run (a
        REST source would have to read every history to count it).
        """
        return {}

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


def _same_value(a: float, b: float) -> bool:
    # MLflow's logged_model_metrics has no is_nan column: a NaN point reads back there as 0.0.
    return a == b or math.isnan(a) or math.isnan(b)


def merge_model_metrics(points: list[Metric], model_points: Sequence[Metric]) -> list[Metric]:
    """Points of a run with ``model_id`` set where a logged model's metric is the same point.

    MLflow keeps a logged model's metrics in a table of their own *and* (when logged through
    a run) in the run's history; Ardea keeps one history whose points may carry a
    ``model_id``. A model point is the run point of the same key, step, timestamp and value;
    model points that match no run point are added to the run's history.
    """
    if not model_points:
        return points
    pending: dict[tuple[str, int, int], list[Metric]] = {}
    for m in model_points:
        pending.setdefault((m.key, int(m.step or 0), int(m.timestamp)), []).append(m)
    for p in points:
        candidates = pending.get((p.key, int(p.step or 0), int(p.timestamp)))
        if not candidates:
            continue
        for i, found in enumerate(candidates):
            if _same_value(p.value, found.value):
                del candidates[i]
                p.model_id = found.model_id
                p.dataset_name = p.dataset_name or found.dataset_name
                p.dataset_digest = p.dataset_digest or found.dataset_digest
                break
    points.extend(m for rest in pending.values() for m in rest)
    return points
