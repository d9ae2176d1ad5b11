"""The workspace store contract: create, read, list, update and delete workspaces.

Backends: ``store.sql.workspaces.store.SqlWorkspaceStore`` (the ``workspaces`` table of the
tracking database) and :class:`UnsupportedWorkspaceStore` (a REST backend: a server manages
its own workspaces through ``/api/3.0/mlflow/workspaces``).

What a workspace holds is scoped in one place, the SQL stores' ``WorkspaceScope``
(:mod:`ardea.store.sql._db.scope`); :meth:`ardea.store.backend.Backend.scoped` gives the
stores of one workspace. Conventions as the other stores: ``get_*`` raises
:class:`~ardea._core.errors.NotFoundError`, bad input
:class:`~ardea._core.errors.InvalidArgumentError` and stores nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from ardea._core.errors import NotFoundError, NotImplementedFeatureError
from ardea.entities.workspace import Workspace, WorkspaceDeletionMode

__all__ = ["UNSET", "UnsupportedWorkspaceStore", "WorkspaceStore", "workspace_not_found"]

UNSET = None
"""Leaves a field unchanged in :meth:`WorkspaceStore.update_workspace`."""


def workspace_not_found(name: str) -> NotFoundError:
    """MLflow's error for a workspace that does not exist."""
    return NotFoundError(f"Workspace '{name}' not found")


class WorkspaceStore(ABC):
    """Workspaces: the spaces top-level aggregates belong to."""

    @abstractmethod
    def list_workspaces(self) -> list[Workspace]:
        """Every workspace, by name (``default`` included)."""

    @abstractmethod
    def get_workspace(self, name: str) -> Workspace:
        """One workspace; NotFoundError if there is none with that name."""

    @abstractmethod
    def create_workspace(
        self,
        name: str,
        description: str | None = None,
        default_artifact_root: str | None = None,
        default_permission: str | None = None,
    ) -> Workspace:
        """Create a workspace.

        Raises:
            InvalidArgumentError: A bad name (or ``default``), artifact root or permission.
            AlreadyExistsError: The name is taken.
        """

    @abstractmethod
    def update_workspace(
        self,
        name: str,
        description: str | None = UNSET,
        default_artifact_root: str | None = UNSET,
        default_permission: str | None = UNSET,
    ) -> Workspace:
        """Change the given fields (None leaves one unchanged, ``""`` clears it)."""

    @abstractmethod
    def delete_workspace(
        self, name: str, mode: WorkspaceDeletionMode = WorkspaceDeletionMode.RESTRICT
    ) -> None:
        """Delete a workspace (never ``default``); ``mode`` says what happens to its content.

        Raises:
            NotFoundError: No such workspace.
            InvalidArgumentError: ``default``.
            FailedPreconditionError: RESTRICT and it is not empty, or SET_DEFAULT and a name
                it holds is taken in ``default``.
        """


class UnsupportedWorkspaceStore(WorkspaceStore):
    """The workspace store of a backend that cannot manage workspaces: every call refuses."""

    def __init__(self, reason: str = "Workspaces are managed by the server") -> None:
        self._reason = reason

    def _refuse(self) -> NotImplementedFeatureError:
        return NotImplementedFeatureError(
            f"{self._reason}: use its /api/3.0/mlflow/workspaces API (mlflow.create_workspace)."
        )

    def list_workspaces(self) -> list[Workspace]:
        """Refuses."""
        raise self._refuse()

    def get_workspace(self, name: str) -> Workspace:
        """Refuses."""
        raise self._refuse()

    def create_workspace(
        self,
        name: str,
        description: str | None = None,
        default_artifact_root: str | None = None,
        default_permission: str | None = None,
    ) -> Workspace:
        """Refuses."""
        raise self._refuse()

    def update_workspace(
        self,
        name: str,
        description: str | None = UNSET,
        default_artifact_root: str | None = UNSET,
        default_permission: str | None = UNSET,
    ) -> Workspace:
        """Refuses."""
        raise self._refuse()

    def delete_workspace(
        self, name: str, mode: WorkspaceDeletionMode = WorkspaceDeletionMode.RESTRICT
    ) -> None:
        """Refuses."""
        raise self._refuse()
