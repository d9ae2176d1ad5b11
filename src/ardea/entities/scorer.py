"""Registered scorers: one version of a scorer saved on an experiment, and its online config.

A scorer is registered under a name in an experiment; every registration of the same name in
that experiment is the next version (1, 2, ...). ``serialized_scorer`` is the scorer's JSON
(MLflow's ``Scorer.model_dump`` / Ardea's ``to_json``), stored as text and never executed by
the registry. The online scoring config (``sample_rate``, ``filter_string``) is stored as
MLflow's routes set it; online scoring (:mod:`ardea.services.online_scoring`) samples new
traces by it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SERIALIZED_SCORER_MAX_BYTES", "OnlineScoringConfig", "ScorerVersion"]

SERIALIZED_SCORER_MAX_BYTES = 1024 * 1024
"""Largest ``serialized_scorer`` accepted (UTF-8 bytes): 1 MiB."""


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
