"""Workspaces of a server, over MLflow 3.18's ``/api/3.0/mlflow/workspaces`` API.

``default_permission`` is not on MLflow's wire: it cannot be set through this store (giving
one raises), and it reads back as None.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ardea._core.errors import InvalidArgumentError
from ardea.entities.workspace import Workspace, WorkspaceDeletionMode
from ardea.store.rest.http import RestClient
from ardea.store.workspaces import UNSET, WorkspaceStore

__all__ = ["RestWorkspaceStore"]

_PATH = "/api/3.0/mlflow/workspaces"


def _one(name: str) -> str:
    return f"{_PATH}/{quote(name, safe='')}"


def _entity(d: dict[str, Any]) -> Workspace:
    return Workspace(
        name=str(d.get("name", "")),
        description=d.get("description"),
        default_artifact_root=d.get("default_artifact_root"),
    )


def _no_permission(default_permission: str | None) -> None:
    if default_permission is not None:
        raise InvalidArgumentError(
            "default_permission is not part of MLflow's workspace API: set it on the server"
        )


class RestWorkspaceStore(WorkspaceStore):
    """The workspace store of a server.

    Args:
        rest: The backend's HTTP client (shared; the backend closes it).
    """

    def __init__(self, rest: RestClient) -> None:
        self._rest = rest

    def list_workspaces(self) -> list[Workspace]:
        """Every workspace, by name."""
        out = self._rest.call("GET", _PATH)
        return [_entity(w) for w in out.get("workspaces") or []]

    def get_workspace(self, name: str) -> Workspace:
        """One workspace (NotFoundError from the server when unknown)."""
        return _entity(self._rest.call("GET", _one(name))["workspace"])

    def create_workspace(
        self,
        name: str,
        description: str | None = None,
        default_artifact_root: str | None = None,
        default_permission: str | None = None,
    ) -> Workspace:
        """Create a workspace (the server checks the name)."""
        _no_permission(default_permission)
        body: dict[str, Any] = {"name": name}
        if description is not None:
            body["description"] = description
        if default_artifact_root is not None:
            body["default_artifact_root"] = default_artifact_root
        return _entity(self._rest.call("POST", _PATH, json=body)["workspace"])

    def update_workspace(
        self,
        name: str,
        description: str | None = UNSET,
        default_artifact_root: str | None = UNSET,
        default_permission: str | None = UNSET,
    ) -> Workspace:
        """Change the given fields."""
        _no_permission(default_permission)
        body: dict[str, Any] = {}
        if description is not None:
            body["description"] = description
        if default_artifact_root is not None:
            body["default_artifact_root"] = default_artifact_root
        return _entity(self._rest.call("PATCH", _one(name), json=body)["workspace"])

    def delete_workspace(
        self, name: str, mode: WorkspaceDeletionMode = WorkspaceDeletionMode.RESTRICT
    ) -> None:
        """Delete a workspace (``mode`` as the contract says)."""
        mode = WorkspaceDeletionMode(mode)
        params = {} if mode is WorkspaceDeletionMode.RESTRICT else {"mode": mode.value}
        self._rest.request("DELETE", _one(name), params=params)
