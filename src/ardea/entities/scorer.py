"""Registered scorers: one version of a scorer saved on an experiment, and its online config.

A scorer is registered under a name in an experiment; every registration of the same name in
that experiment is the next version (1, 2, ...). ``serialized_scorer`` is the scorer's JSON
(MLflow's ``Scorer.model_dump`` / Ardea's ``to_json``), stored as text and never executed by
the registry. The online scoring config (``sample_rate``, ``filter_string``) is stored as
MLflow's routes set it; online scoring (:mod:`ardea.services.online_scoring`) samples new
traces by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ALIGNMENT_FIELD_MAX_BYTES",
    "SERIALIZED_SCORER_MAX_BYTES",
    "JudgeAlignment",
    "OnlineScoringConfig",
    "ScorerVersion",
]

SERIALIZED_SCORER_MAX_BYTES = 1024 * 1024
"""Largest ``serialized_scorer`` accepted (UTF-8 bytes): 1 MiB."""

ALIGNMENT_FIELD_MAX_BYTES = 1024 * 1024
"""Largest JSON of one alignment field (``params``, ``labels``, ``before``, ``after``): 1 MiB."""


@dataclass(frozen=True)
class ScorerVersion:
    """One registered version of a scorer.

    Attributes:
        scorer_id: The version's id (a UUID, shared by the versions of one name).
        experiment_id: The experiment it is registered on.
        name: The registered name.
        version: 1 for the first registration of the name, then +1 each time.
        serialized_scorer: The scorer's JSON text.
        creation_time: Epoch milliseconds.
    """

    scorer_id: str
    experiment_id: str
    name: str
    version: int
    serialized_scorer: str
    creation_time: int


@dataclass(frozen=True)
class OnlineScoringConfig:
    """How a registered scorer scores new traces of its experiment (online scoring).

    Attributes:
        online_scoring_config_id: The config's id.
        scorer_id: The scorer it configures.
        experiment_id: The experiment whose traces it samples.
        sample_rate: Fraction of traces, 0.0 (stopped) to 1.0.
        filter_string: A search_traces filter, or None.
    """

    online_scoring_config_id: str
    scorer_id: str
    experiment_id: str
    sample_rate: float
    filter_string: str | None


@dataclass(frozen=True)
class JudgeAlignment:
    """One alignment run of a registered judge: its lineage and held-out agreement.

    Recorded whether the aligned judge was promoted (registered as ``new_version``) or
    rejected by the held-out check.

    Attributes:
        alignment_id: The run's id (a UUID).
        experiment_id: The experiment the judge is registered on.
        name: The judge's (scorer's) name.
        optimizer: ``memalign``, ``gepa``, ...
        params: The optimizer's settings.
        base_version: The scorer version that was aligned (None: not registered).
        new_version: The version registered for the aligned judge (None: rejected).
        promoted: Whether the aligned judge passed the held-out check.
        reason: Why it was promoted or rejected (the rule with its numbers).
        labels: The label set: ``count``, ``train``, ``holdout``, ``trace_ids``,
            ``assessment_ids``, ``holdout_fraction``, ``seed``.
        before: The base judge's agreement on the held-out rows (``Agreement.to_dict()``).
        after: The aligned judge's agreement on the same rows.
        creation_time: Epoch milliseconds.
    """

    alignment_id: str
    experiment_id: str
    name: str
    optimizer: str
    base_version: int | None
    new_version: int | None
    promoted: bool
    reason: str
    creation_time: int
    params: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-safe values (the REST shape)."""
        return {
            "alignment_id": self.alignment_id,
            "experiment_id": self.experiment_id,
            "name": self.name,
            "optimizer": self.optimizer,
            "params": self.params,
            "base_version": self.base_version,
            "new_version": self.new_version,
            "promoted": self.promoted,
            "reason": self.reason,
            "labels": self.labels,
            "before": self.before,
            "after": self.after,
            "creation_time": self.creation_time,
        }
