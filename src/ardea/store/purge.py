"""The purge contract: permanent deletion of what was soft-deleted (behind ``ardea gc``).

Deleting an experiment, a run or a logged model only moves it to the ``deleted`` lifecycle
stage; it can be restored. Purging removes it for good: a run with its metrics, params, tags,
inputs, outputs and the traces linked to it; an experiment with everything in it (runs,
logged models, traces, datasets, tags); a logged model with its tags and params. Artifacts
are not the store's: :meth:`PurgeStore.plan_purge` names their roots, and the caller
(:mod:`ardea.services.gc`) deletes them through the artifact store contract before it purges
the rows.

Rules every backend keeps:

- Only entities in the ``deleted`` stage are purged, re-checked inside each purge's
  transaction: something restored after the plan was made is left alone.
- A run or logged model that a registered model version still uses is kept (deleting its
  artifacts would break the version), and so is an experiment holding one.
- The Default experiment (``0``) is never purged.

Backends: the SQL store (``store.sql.purge``). A server over REST cannot purge (the MLflow
wire protocol has no such call): its :class:`UnavailablePurgeStore` raises
:class:`~ardea._core.errors.FailedPreconditionError` saying to run against the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from ardea._core.errors import FailedPreconditionError

__all__ = ["PurgePlan", "PurgeStore", "Purgeable", "UnavailablePurgeStore"]


@dataclass(frozen=True, slots=True)
class Purgeable:
    """One soft-deleted entity a purge would remove, and what goes with it.

    Attributes:
        kind: ``experiment``, ``run`` or ``logged_model``.
        entity_id: Its id.
        name: Its name (experiments, runs, logged models all have one).
        experiment_id: The experiment it belongs to (its own id for an experiment).
        deleted_time: When it entered the ``deleted`` stage, epoch ms (None when unknown).
        artifact_uris: The artifact roots to delete with it (folders or object prefixes).
        runs: Experiments: the runs removed with it.
        logged_models: Experiments: the logged models removed with it.
        traces: Experiments and runs: the traces removed with it.
        kept_because: Set when it is kept instead: why (e.g. a model version uses it).
    """

    kind: str
    entity_id: str
    name: str
    experiment_id: str
    deleted_time: int | None
    artifact_uris: tuple[str, ...] = ()
    runs: int = 0
    logged_models: int = 0
    traces: int = 0
    kept_because: str | None = None


@dataclass(frozen=True, slots=True)
class PurgePlan:
    """What a purge would remove, by kind, and what it keeps.

    Runs and logged models of a planned experiment are not listed again under ``runs`` and
    ``logged_models``: they go with their experiment.
    """

    experiments: tuple[Purgeable, ...] = ()
    runs: tuple[Purgeable, ...] = ()
    logged_models: tuple[Purgeable, ...] = ()
    kept: tuple[Purgeable, ...] = ()

    @property
    def empty(self) -> bool:
        """True when there is nothing to purge."""
        return not (self.experiments or self.runs or self.logged_models)

    @property
    def size(self) -> int:
        """How many entities would be purged (experiments, runs and logged models)."""
        return len(self.experiments) + len(self.runs) + len(self.logged_models)


class PurgeStore(ABC):
    """Finds and permanently removes soft-deleted experiments, runs and logged models."""

    @abstractmethod
    def plan_purge(
        self,
        *,
        deleted_before: int | None = None,
        experiment_ids: Sequence[str] | None = None,
        run_ids: Sequence[str] | None = None,
        logged_model_ids: Sequence[str] | None = None,
    ) -> PurgePlan:
        """What :meth:`purge_experiments`, :meth:`purge_runs` and the rest would remove.

        With no ids, every deleted experiment, run and logged model (only those deleted
        before ``deleted_before`` when it is given). With ids, exactly the named ones (and
        what the named experiments hold), and nothing of a kind that names no ids.

        Args:
            deleted_before: Epoch ms: only what was deleted before then.
            experiment_ids: Only these experiments.
            run_ids: Only these runs.
            logged_model_ids: Only these logged models.

        Raises:
            NotFoundError: A named entity does not exist.
            FailedPreconditionError: A named entity is not deleted, or was deleted after
                ``deleted_before``.
        """

    @abstractmethod
    def purge_runs(self, run_ids: Sequence[str]) -> list[str]:
        """Remove these runs and everything logged to them, in one transaction.

        Returns:
            The ids removed: those still deleted and not used by a model version.
        """

    @abstractmethod
    def purge_experiments(self, experiment_ids: Sequence[str]) -> list[str]:
        """Remove these experiments and everything in them, in one transaction.

        Returns:
            The ids removed: those still deleted and holding nothing a model version uses.
        """

    @abstractmethod
    def purge_logged_models(self, model_ids: Sequence[str]) -> list[str]:
        """Remove these logged models with their tags and params, in one transaction.

        Returns:
            The ids removed: those still deleted and not used by a model version.
        """


_NEEDS_DATABASE = (
    "Permanent deletion needs the database itself, not a server: run it where the server's "
    "database is reachable, with its database URI (the server's --backend-store-uri) and "
    "its --artifacts-destination."
)


class UnavailablePurgeStore(PurgeStore):
    """The purge store of a backend that cannot purge (a server over REST): every call raises.

    Args:
        uri: The backend's URI, named in the error.
    """

    def __init__(self, uri: str = "") -> None:
        self.uri = uri

    def _refuse(self) -> FailedPreconditionError:
        where = f"{self.uri} is a server. " if self.uri else ""
        return FailedPreconditionError(where + _NEEDS_DATABASE)

    def plan_purge(
        self,
        *,
        deleted_before: int | None = None,
        experiment_ids: Sequence[str] | None = None,
        run_ids: Sequence[str] | None = None,
        logged_model_ids: Sequence[str] | None = None,
    ) -> PurgePlan:
        """Raises :class:`FailedPreconditionError`."""
        raise self._refuse()

    def purge_runs(self, run_ids: Sequence[str]) -> list[str]:
        """Raises :class:`FailedPreconditionError`."""
        raise self._refuse()

    def purge_experiments(self, experiment_ids: Sequence[str]) -> list[str]:
        """Raises :class:`FailedPreconditionError`."""
        raise self._refuse()

    def purge_logged_models(self, model_ids: Sequence[str]) -> list[str]:
        """Raises :class:`FailedPreconditionError`."""
        raise self._refuse()
