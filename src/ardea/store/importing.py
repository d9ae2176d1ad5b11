"""The import store contract: write entities *as they are* (ids, times, states), once.

The ordinary stores create things: they hand out ids, stamp the current time and start runs
as RUNNING. An import (``ardea import mlflow``) restores things another system made, so it
needs the opposite: keep the run id, the start and end times, the lifecycle stage, the user,
the version numbers. This contract does that, for the aggregates whose ordinary contract
cannot (traces and assessments keep their ids through :class:`~ardea.store.traces.TraceStore`).

Every ``put_*`` writes one unit (a run with its params, tags, full metric history, inputs and
outputs; a logged model with its tags and params; a registered model with its versions, tags
and aliases; a webhook) in **one transaction**, together with a row in the import ledger
(``source``, ``kind``, source id -> destination id). So a unit is either wholly imported and
ledgered, or not at all: an interrupted import resumes at the first unit without a ledger
row, and a second import of the same source finds every unit ledgered and writes nothing.
A ``put_*`` whose unit already exists in the destination (same id, or same name for
experiments and registered models) writes nothing but the ledger row and returns False.

Backends: ``store.sql.importing.SqlImportStore``. A server (REST backend) cannot restore ids
over the MLflow wire: its import store refuses with NotImplementedFeatureError (import into
the server's database instead).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ardea.entities import Experiment, LoggedModel, Metric, ModelVersion, RegisteredModel, Run
from ardea.entities.webhook import Webhook

__all__ = ["ImportStore", "ImportedRun", "LedgerKind", "UnsupportedImportStore"]

LedgerKind = str
"""An entity kind in the ledger: ``experiment``, ``run``, ``logged_model``, ``trace``,
``registered_model``, ``webhook``."""


@dataclass(slots=True)
class ImportedRun:
    """A run to restore: everything logged to it, metrics as a stream of chunks.

    Attributes:
        run: Info (id, experiment id in the *destination*, name, user, status, times,
            lifecycle stage, artifact URI), params, tags, dataset inputs, model inputs and
            outputs. ``run.data.metrics`` is ignored: the history comes from ``metrics``.
        deleted_time: When a deleted run was deleted (epoch ms), if known.
        metrics: The full metric history, in chunks of any size (each inserted as it
            comes, so a run of millions of points never sits in memory whole).
    """

    run: Run
    deleted_time: int | None = None
    metrics: Iterable[Sequence[Metric]] = field(default_factory=tuple)


class ImportStore(ABC):
    """Restore entities with their ids and times, each unit once (see the module docstring)."""

    @abstractmethod
    def ledger(self, source: str, kind: LedgerKind) -> dict[str, str]:
        """``{source id: destination id}`` of the units of ``kind`` imported from ``source``."""

    @abstractmethod
    def mark_imported(
        self, source: str, kind: LedgerKind, pairs: Mapping[str, str] | Sequence[tuple[str, str]]
    ) -> None:
        """Ledger units written through another store (traces) as imported."""

    @abstractmethod
    def count_present(self, source: str, ids: Mapping[str, Sequence[str]]) -> dict[str, int]:
        """Check an import against the destination: how much of what ``ids`` names is here.

        ``ids`` maps a ledger kind (``experiment``, ``run``, ...) to source ids: the answer
        counts those ledgered for ``source``. It may also map derived kinds: to run ids
        ``metric_points`` and ``dataset_inputs``, to trace ids ``spans`` and ``assessments``,
        to registered model names ``model_versions`` (not deleted) and ``aliases``: the
        answer counts those rows in the destination.
        """

    @abstractmethod
    def put_experiment(self, source: str, experiment: Experiment) -> tuple[str, bool]:
        """Restore an experiment; returns ``(destination id, created)``.

        An experiment of the same name in the destination *is* this experiment (its runs go
        there: MLflow names are unique, and both sides have ``Default``). Otherwise the
        source id is kept when it is free, else the database assigns one. Tags are merged
        (existing keys win), times and lifecycle stage kept. ``{experiment_id}`` in the
        artifact location is replaced by the destination id.
        """

    @abstractmethod
    def put_run(self, source: str, item: ImportedRun) -> bool:
        """Restore a run with everything logged to it; False if the run id exists already."""

    @abstractmethod
    def put_logged_model(self, source: str, model: LoggedModel) -> bool:
        """Restore a logged model (its id, tags, params, status, times).

        Its metrics are metric points of its source run that carry its ``model_id``: they
        come with :meth:`put_run`. False if the model id exists already.
        """

    @abstractmethod
    def put_registered_model(
        self, source: str, model: RegisteredModel, versions: Sequence[ModelVersion]
    ) -> bool:
        """Restore a registered model (or prompt) with its tags, aliases and versions.

        Version numbers, stages, sources, run ids, model ids, tags and times are kept.
        False if a model of that name exists already (nothing of it is changed).
        """

    @abstractmethod
    def put_webhook(self, source: str, webhook: Webhook, secret: str | None) -> bool:
        """Restore a webhook with its id, events, status and times.

        The secret is encrypted as the webhook store does. False if the id exists already.
        """

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (nothing by default)."""


class UnsupportedImportStore(ImportStore):
    """The import store of a backend that cannot restore ids (a server over REST)."""

    def __init__(self, why: str = "") -> None:
        self._why = why or (
            "This backend cannot import: the MLflow wire cannot keep ids and times. "
            "Import into the server's database URI instead."
        )

    def _refuse(self) -> Exception:
        from ardea._core.errors import NotImplementedFeatureError

        return NotImplementedFeatureError(self._why)

    def ledger(self, source: str, kind: LedgerKind) -> dict[str, str]:
        """Refused."""
        raise self._refuse()

    def mark_imported(
        self, source: str, kind: LedgerKind, pairs: Mapping[str, str] | Sequence[tuple[str, str]]
    ) -> None:
        """Refused."""
        raise self._refuse()

    def count_present(self, source: str, ids: Mapping[str, Sequence[str]]) -> dict[str, int]:
        """Refused."""
        raise self._refuse()

    def put_experiment(self, source: str, experiment: Experiment) -> tuple[str, bool]:
        """Refused."""
        raise self._refuse()

    def put_run(self, source: str, item: ImportedRun) -> bool:
        """Refused."""
        raise self._refuse()

    def put_logged_model(self, source: str, model: LoggedModel) -> bool:
        """Refused."""
        raise self._refuse()

    def put_registered_model(
        self, source: str, model: RegisteredModel, versions: Sequence[ModelVersion]
    ) -> bool:
        """Refused."""
        raise self._refuse()

    def put_webhook(self, source: str, webhook: Webhook, secret: str | None) -> bool:
        """Refused."""
        raise self._refuse()
