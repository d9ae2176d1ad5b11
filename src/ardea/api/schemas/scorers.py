"""Scorer registry answers (``/mlflow/scorers/*``, MLflow's shapes).

``Scorer.experiment_id`` is an int32 (a JSON number) while RegisterScorer's and the online
configs' ``experiment_id`` are strings, as MLflow's messages have them.
"""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "GetScorerResponse",
    "ListScorersResponse",
    "OnlineScoringConfigJson",
    "OnlineScoringConfigResponse",
    "OnlineScoringConfigsResponse",
    "RegisterScorerResponse",
    "ScorerJson",
]


class ScorerJson(TypedDict):
    """One registered scorer version (``serialized_scorer``: the scorer's JSON string)."""

    experiment_id: int
    scorer_name: str
    scorer_version: int
    serialized_scorer: str
    creation_time: Int64
    scorer_id: str


class RegisterScorerResponse(TypedDict):
    """RegisterScorer: the version just stored."""

    version: int
    scorer_id: str
    experiment_id: str
    name: str
    serialized_scorer: str
    creation_time: Int64


class ListScorersResponse(TypedDict):
    """ListScorers (latest version of each name) and ListScorerVersions (every version)."""

    scorers: list[ScorerJson]


class GetScorerResponse(TypedDict):
    """GetScorer: one version."""

    scorer: ScorerJson


class OnlineScoringConfigJson(TypedDict):
    """A scorer's online scoring config (its sample rate and trace filter)."""

    online_scoring_config_id: str
    scorer_id: str
    sample_rate: float
    experiment_id: str
    filter_string: NotRequired[str]


class OnlineScoringConfigResponse(TypedDict):
    """PUT online-config: the config as stored."""

    config: OnlineScoringConfigJson


class OnlineScoringConfigsResponse(TypedDict):
    """GET online-configs: the configs of the scorers asked for (those with one)."""

    configs: list[OnlineScoringConfigJson]
