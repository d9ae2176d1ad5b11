"""Trace retention policies over a server's ``/api/3.0/ardea/traces/retention`` routes.

Only the policies: the server sweeps its own database (its background loop, or
``ardea traces retention apply`` where the database is reachable).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from ardea._core.errors import FailedPreconditionError
from ardea.entities.retention import ExperimentRetention, RetentionPolicy
from ardea.store.rest.http import RestClient
from ardea.store.retention import RetentionStore, RetentionTarget

__all__ = ["RestRetentionStore"]

_PATH = "/api/3.0/ardea/traces/retention"


def _sweeps_itself(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise FailedPreconditionError(
        "A server sweeps its own database: run `ardea traces retention apply` with the "
        "server's --backend-store-uri, or let its background sweep "
        "(ARDEA_RETENTION_INTERVAL_SECONDS) do it."
    )


class RestRetentionStore(RetentionStore):
    """A :class:`RetentionStore` that is a client of a server (policies only).

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: Optional ready-made :class:`RestClient` (shared with the backend's other stores).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._rest = rest or RestClient(self.uri)

    def get_experiment_retention(self, experiment_id: str) -> ExperimentRetention:
        """GetTraceRetention."""
        found = self._rest.call("GET", f"{_PATH}/get", params={"experiment_id": experiment_id})
        return ExperimentRetention.from_json(found)

    def set_experiment_retention(
        self, experiment_id: str, policy: RetentionPolicy
    ) -> ExperimentRetention:
        """SetTraceRetention."""
        body = {"experiment_id": str(experiment_id), **policy.to_json()}
        return ExperimentRetention.from_json(self._rest.call("POST", f"{_PATH}/set", json=body))

    def get_workspace_retention(self) -> RetentionPolicy:
        """GetWorkspaceTraceRetention."""
        found = self._rest.call("GET", f"{_PATH}/workspace/get")
        return RetentionPolicy.from_json(found.get("policy"))

    def set_workspace_retention(self, policy: RetentionPolicy) -> RetentionPolicy:
        """SetWorkspaceTraceRetention."""
        found = self._rest.call("POST", f"{_PATH}/workspace/set", json=policy.to_json())
        return RetentionPolicy.from_json(found.get("policy"))

    def plan(self, now_ms: int) -> list[RetentionTarget]:
        """Refuses: the server sweeps its own database."""
        _sweeps_itself()

    def delete_due(self, target: RetentionTarget, limit: int) -> int:
        """Refuses: the server sweeps its own database."""
        _sweeps_itself()

    def count_due(self, target: RetentionTarget) -> int:
        """Refuses: the server sweeps its own database."""
        _sweeps_itself()

    def due_ids(self, target: RetentionTarget, limit: int) -> list[tuple[str, int]]:
        """Refuses: the server sweeps its own database."""
        _sweeps_itself()

    def archive_and_delete(
        self, target: RetentionTarget, rows: Sequence[tuple[str, int]], location: str
    ) -> int:
        """Refuses: the server sweeps its own database."""
        _sweeps_itself()

    def archived_location(self, trace_id: str) -> str | None:
        """None: a server reads its archive itself (GetTrace falls back to it)."""
        return None
