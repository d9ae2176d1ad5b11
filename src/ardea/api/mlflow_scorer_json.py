"""Registered scorers on MLflow's wire (``service.proto``'s ``Scorer`` and scorer RPCs).

Two shapes: RegisterScorer answers ``{version, scorer_id, experiment_id (string), name,
serialized_scorer, creation_time}``; the lists and GetScorer carry ``Scorer`` messages
``{experiment_id (int32: a JSON number), scorer_name, scorer_version, serialized_scorer,
creation_time, scorer_id}``. Online scoring configs are ``{online_scoring_config_id,
scorer_id, sample_rate, experiment_id, filter_string?}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ardea.entities.scorer import OnlineScoringConfig, ScorerVersion

__all__ = [
    "config_from_json",
    "config_to_json",
    "registered_to_json",
    "scorer_from_json",
    "scorer_to_json",
]


def registered_to_json(s: ScorerVersion) -> dict[str, Any]:
    """RegisterScorer's answer for ``s``."""
    return {
        "version": s.version,
        "scorer_id": s.scorer_id,
        "experiment_id": s.experiment_id,
        "name": s.name,
        "serialized_scorer": s.serialized_scorer,
        "creation_time": s.creation_time,
    }


def scorer_to_json(s: ScorerVersion) -> dict[str, Any]:
    """``s`` as a ``Scorer`` message (``experiment_id`` an int32)."""
    return {
        "experiment_id": int(s.experiment_id),
        "scorer_name": s.name,
        "scorer_version": s.version,
        "serialized_scorer": s.serialized_scorer,
        "creation_time": s.creation_time,
        "scorer_id": s.scorer_id,
    }


def scorer_from_json(d: Mapping[str, Any]) -> ScorerVersion:
    """A ``Scorer`` message, or RegisterScorer's answer, as a :class:`ScorerVersion`."""
    return ScorerVersion(
        scorer_id=str(d.get("scorer_id") or ""),
        experiment_id=str(d.get("experiment_id") or ""),
        name=str(d.get("scorer_name") or d.get("name") or ""),
        version=int(d.get("scorer_version") or d.get("version") or 0),
        serialized_scorer=str(d.get("serialized_scorer") or ""),
        creation_time=int(d.get("creation_time") or 0),
    )


def config_to_json(c: OnlineScoringConfig) -> dict[str, Any]:
    """An online scoring config (``filter_string`` only when set)."""
    out: dict[str, Any] = {
        "online_scoring_config_id": c.online_scoring_config_id,
        "scorer_id": c.scorer_id,
        "sample_rate": c.sample_rate,
        "experiment_id": c.experiment_id,
    }
    if c.filter_string is not None:
        out["filter_string"] = c.filter_string
    return out


def config_from_json(d: Mapping[str, Any]) -> OnlineScoringConfig:
    """An online scoring config from its JSON."""
    return OnlineScoringConfig(
        online_scoring_config_id=str(d["online_scoring_config_id"]),
        scorer_id=str(d["scorer_id"]),
        experiment_id=str(d["experiment_id"]),
        sample_rate=float(d["sample_rate"]),
        filter_string=d.get("filter_string"),
    )
