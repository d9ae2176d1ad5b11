"""Workspace answers (``/api/3.0/mlflow/workspaces*``), as MLflow 3.18's ``Workspace`` message.

A field the workspace does not set is left out (``description``, ``default_artifact_root``).
"""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict

__all__ = ["ListWorkspacesResponse", "Workspace", "WorkspaceResponse"]


class Workspace(TypedDict):
    """A workspace: the space experiments, models, prompts and webhooks belong to."""

    name: str
    description: NotRequired[str]
    default_artifact_root: NotRequired[str]
    default_permission: NotRequired[str]
    """Ardea's: what members without a grant may do here (absent: the server's default)."""


class WorkspaceResponse(TypedDict):
    """CreateWorkspace (201), GetWorkspace and UpdateWorkspace."""

    workspace: Workspace


class ListWorkspacesResponse(TypedDict):
    """ListWorkspaces: every workspace, by name."""

    workspaces: list[Workspace]
