"""The scorer registry contract (MLflow's scorer RPCs and online scoring configs).

Backends: ``store.sql.scorers.store.SqlScorerStore`` (on the tracking database) and
``store.rest.scorers.RestScorerStore`` (a server's ``/api/3.0/mlflow/scorers`` API).

Conventions (as the other stores): a call naming an experiment that does not exist (or is in
another workspace) raises :class:`ardea.NotFoundError`, and so does one naming a scorer name or
version that is not registered; bad input raises :class:`ardea.InvalidArgumentError` and
stores nothing; times are epoch milliseconds.

Versions: every :meth:`ScorerStore.register_scorer` of a name in an experiment stores the next
version (1 for the first). All versions of a name share one ``scorer_id``; deleting every
version of a name deletes its online config too.

Alignments: every run of ``ardea.align`` on a registered judge is recorded
(:class:`~ardea.entities.scorer.JudgeAlignment`), promoted or not, so a judge's agreement
history can be listed; deleting the experiment deletes them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from ardea.entities.scorer import JudgeAlignment, OnlineScoringConfig, ScorerVersion

__all__ = ["ScorerStore", "UnsupportedScorerStore"]


class ScorerStore(ABC):
    """Registered scorers of experiments: versions and online configs."""

    @abstractmethod
    def register_scorer(
        self, experiment_id: str, name: str, serialized_scorer: str
    ) -> ScorerVersion:
        """Store the next version of ``name`` in the experiment.

        Raises:
            InvalidArgumentError: An empty or too long name, ``serialized_scorer`` not a JSON
                object or larger than
                :data:`ardea.entities.scorer.SERIALIZED_SCORER_MAX_BYTES`.
            NotFoundError: No such experiment.
        """

    @abstractmethod
    def list_scorers(self, experiment_id: str) -> list[ScorerVersion]:
        """The latest version of each name registered in the experiment, by name."""

    @abstractmethod
    def list_scorer_versions(self, experiment_id: str, name: str) -> list[ScorerVersion]:
        """Every version of ``name``, oldest first (NotFoundError when there is none)."""

    @abstractmethod
    def get_scorer(
        self, experiment_id: str, name: str, version: int | None = None
    ) -> ScorerVersion:
        """One version of ``name`` (the latest when ``version`` is None)."""

    def get_scorer_by_id(self, scorer_id: str, version: int | None = None) -> ScorerVersion:
        """One version of the scorer ``scorer_id`` (the latest when ``version`` is None).

        The scorer may be in any experiment of the store's workspace: a gateway guardrail
        names its scorer by id only.

        Raises:
            NotFoundError: No such scorer or version.
            NotImplementedFeatureError: This store cannot look scorers up by id.
        """
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This store cannot look scorers up by id")

    @abstractmethod
    def delete_scorer(self, experiment_id: str, name: str, version: int | None = None) -> None:
        """Delete one version, or every version of ``name`` (and its online config) when None."""

    @abstractmethod
    def upsert_online_scoring_config(
        self,
        experiment_id: str,
        name: str,
        sample_rate: float | None,
        filter_string: str | None = None,
    ) -> OnlineScoringConfig:
        """Set the online config of ``name`` (one per scorer; replaces the one there).

        ``sample_rate`` None keeps the stored rate (0.0 for a new config): MLflow's
        ``Scorer.update`` may send only a filter.

        Raises:
            InvalidArgumentError: ``sample_rate`` outside [0, 1].
            NotFoundError: No such experiment or scorer.
        """

    @abstractmethod
    def get_online_scoring_configs(self, scorer_ids: Sequence[str]) -> list[OnlineScoringConfig]:
        """The configs of these scorers (those without one, or unknown, are left out)."""

    def create_judge_alignment(self, alignment: JudgeAlignment) -> JudgeAlignment:
        """Record an alignment run of the judge ``alignment.name`` (a new id and time).

        ``alignment_id`` and ``creation_time`` of the argument are ignored.

        Raises:
            InvalidArgumentError: A bad name or optimizer, a field that is not a JSON object
                or larger than :data:`~ardea.entities.scorer.ALIGNMENT_FIELD_MAX_BYTES`.
            NotFoundError: No such experiment, or ``base_version`` / ``new_version`` is not
                a registered version of the name.
            NotImplementedFeatureError: This store keeps no alignments.
        """
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This store keeps no judge alignments")

    def list_judge_alignments(
        self, experiment_id: str, name: str | None = None
    ) -> list[JudgeAlignment]:
        """The alignment runs of ``name`` (every judge's when None), oldest first, or []."""
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This store keeps no judge alignments")

    def get_judge_alignment(self, experiment_id: str, alignment_id: str) -> JudgeAlignment:
        """One alignment run (NotFoundError when it is not in the experiment)."""
        from ardea._core.errors import NotImplementedFeatureError

        raise NotImplementedFeatureError("This store keeps no judge alignments")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (nothing by default)."""


def _unsupported(*args: Any, **kwargs: Any) -> Any:
    from ardea._core.errors import NotImplementedFeatureError

    raise NotImplementedFeatureError("This backend has no scorer registry.")


class UnsupportedScorerStore(ScorerStore):
    """A backend without a scorer registry: every call raises NotImplementedFeatureError."""

    register_scorer = list_scorers = list_scorer_versions = get_scorer = _unsupported
    delete_scorer = upsert_online_scoring_config = get_online_scoring_configs = _unsupported
