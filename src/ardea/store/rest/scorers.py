"""The scorer registry over a server's ``/api/3.0/mlflow/scorers`` API (MLflow's too).

Judge alignment records go over Ardea's ``/api/3.0/ardea/judges/alignments``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ardea.api.alignment_json import alignment_from_json, create_body
from ardea.api.mlflow_scorer_json import config_from_json, scorer_from_json
from ardea.entities.scorer import JudgeAlignment, OnlineScoringConfig, ScorerVersion
from ardea.store.rest.http import RestClient
from ardea.store.scorers import ScorerStore

__all__ = ["RestScorerStore"]

_PATH = "/api/3.0/mlflow/scorers"
_ALIGNMENTS = "/api/3.0/ardea/judges/alignments"


class RestScorerStore(ScorerStore):
    """A :class:`ScorerStore` that is a client of a server.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: Optional ready-made :class:`RestClient` (shared with the backend's other stores).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._rest = rest or RestClient(self.uri)

    def register_scorer(
        self, experiment_id: str, name: str, serialized_scorer: str
    ) -> ScorerVersion:
        """Store the next version of ``name``."""
        body = {
            "experiment_id": experiment_id,
            "name": name,
            "serialized_scorer": serialized_scorer,
        }
        return scorer_from_json(self._rest.call("POST", f"{_PATH}/register", json=body))

    def list_scorers(self, experiment_id: str) -> list[ScorerVersion]:
        """The latest version of each name."""
        out = self._rest.call("GET", f"{_PATH}/list", params={"experiment_id": experiment_id})
        return [scorer_from_json(s) for s in out.get("scorers") or []]

    def list_scorer_versions(self, experiment_id: str, name: str) -> list[ScorerVersion]:
        """Every version of ``name``."""
        params = {"experiment_id": experiment_id, "name": name}
        out = self._rest.call("GET", f"{_PATH}/versions", params=params)
        return [scorer_from_json(s) for s in out.get("scorers") or []]

    def get_scorer(
        self, experiment_id: str, name: str, version: int | None = None
    ) -> ScorerVersion:
        """One version (the latest when None)."""
        params: dict[str, Any] = {"experiment_id": experiment_id, "name": name, "version": version}
        return scorer_from_json(self._rest.call("GET", f"{_PATH}/get", params=params)["scorer"])

    def delete_scorer(self, experiment_id: str, name: str, version: int | None = None) -> None:
        """Delete one version, or all of ``name``."""
        body: dict[str, Any] = {"experiment_id": experiment_id, "name": name}
        if version is not None:
            body["version"] = version
        self._rest.call("DELETE", f"{_PATH}/delete", json=body)

    def upsert_online_scoring_config(
        self,
        experiment_id: str,
        name: str,
        sample_rate: float | None,
        filter_string: str | None = None,
    ) -> OnlineScoringConfig:
        """Set the online config of ``name``."""
        body: dict[str, Any] = {
            "experiment_id": experiment_id,
            "name": name,
        }
        if sample_rate is not None:
            body["sample_rate"] = sample_rate
        if filter_string is not None:
            body["filter_string"] = filter_string
        out = self._rest.call("PUT", f"{_PATH}/online-config", json=body)
        return config_from_json(out["config"])

    def get_online_scoring_configs(self, scorer_ids: Sequence[str]) -> list[OnlineScoringConfig]:
        """The configs of these scorers."""
        if not scorer_ids:
            return []
        params = {"scorer_ids": list(scorer_ids)}
        out = self._rest.call("GET", f"{_PATH}/online-configs", params=params)
        return [config_from_json(c) for c in out.get("configs") or []]

    def create_judge_alignment(self, alignment: JudgeAlignment) -> JudgeAlignment:
        """Record an alignment run."""
        out = self._rest.call("POST", f"{_ALIGNMENTS}/create", json=create_body(alignment))
        return alignment_from_json(out["alignment"])

    def list_judge_alignments(
        self, experiment_id: str, name: str | None = None
    ) -> list[JudgeAlignment]:
        """The alignment runs of ``name`` (every judge's when None), oldest first."""
        params = {"experiment_id": experiment_id, "name": name}
        out = self._rest.call("GET", f"{_ALIGNMENTS}/list", params=params)
        return [alignment_from_json(a) for a in out.get("alignments") or []]

    def get_judge_alignment(self, experiment_id: str, alignment_id: str) -> JudgeAlignment:
        """One alignment run."""
        params = {"experiment_id": experiment_id, "alignment_id": alignment_id}
        out = self._rest.call("GET", f"{_ALIGNMENTS}/get", params=params)
        return alignment_from_json(out["alignment"])
