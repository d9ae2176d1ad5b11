"""A workspace's view of the server's proxied artifact store (``mlflow-artifacts:/``).

With workspaces on, a workspace ``team-a`` keeps its proxied artifacts under
``workspaces/team-a/`` of the artifacts destination: its experiments' locations are
``mlflow-artifacts:/workspaces/team-a/<id>``, and a path a client names is rewritten into
that folder (MLflow 3.18's ``_get_workspace_scoped_repo_path_if_enabled``):

- ``workspaces/team-a/...`` stays as it is; ``workspaces/<another>/...`` is refused;
- any other path ``p`` becomes ``workspaces/team-a/p`` (the root lists the workspace's folder).

Workspace ``default`` keeps the layout of a server without workspaces (nothing moves): its
paths are left as they are, except that ``workspaces/<another>/...`` is refused there too, and
its root listing leaves out the ``workspaces`` folder. Paths reach this view already checked
by :func:`~ardea.store.artifacts.paths.safe_relpath` (no ``..``, no absolute paths), and
workspace names are never path-like, so nothing escapes the workspace's folder.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from ardea._core.errors import InvalidArgumentError
from ardea.entities import FileInfo
from ardea.entities.workspace import DEFAULT_WORKSPACE
from ardea.store.artifacts.base import ArtifactStore, MultipartPart

__all__ = ["WORKSPACES_FOLDER", "WorkspaceArtifactStore", "workspace_path"]

WORKSPACES_FOLDER = "workspaces"
"""The folder of the artifacts destination that holds one folder per workspace."""


def workspace_path(workspace: str, path: str) -> str:
    """Where ``path`` (relative, checked) of ``workspace``'s view is in the whole store.

    Raises:
        InvalidArgumentError: ``path`` names another workspace's folder, or ``workspaces/``
            without a workspace.
    """
    normalized = path.lstrip("/")
    base = f"{WORKSPACES_FOLDER}/{workspace}"
    if not normalized:
        return "" if workspace == DEFAULT_WORKSPACE else base
    parts = normalized.split("/", 2)
    # Case-insensitive, as MLflow: a case-insensitive file system serves WORKSPACES/ too.
    if parts[0].lower() != WORKSPACES_FOLDER:
        return normalized if workspace == DEFAULT_WORKSPACE else f"{base}/{normalized}"
    if len(parts) == 1 or not parts[1]:
        raise InvalidArgumentError(
            "Artifact paths prefixed with 'workspaces/' must include a workspace name."
        )
    if parts[1] != workspace:
        raise InvalidArgumentError(
            f"Artifact path targets workspace '{parts[1]}' but the workspace specified in the "
            f"request is '{workspace}'."
        )
    return normalized


class WorkspaceArtifactStore(ArtifactStore):
    """``store`` as ``workspace`` sees it (see the module docstring).

    Args:
        store: The whole proxied artifact store (the artifacts destination).
        workspace: The workspace whose view this is.
    """

    def __init__(self, store: ArtifactStore, workspace: str) -> None:
        self._store = store
        self.workspace = workspace

    @property
    def store(self) -> ArtifactStore:
        """The whole store under the view."""
        return self._store

    def _path(self, path: str) -> str:
        return workspace_path(self.workspace, path)

    def put(self, path: str, data: bytes | Iterable[bytes]) -> int:
        """Write a file (see :meth:`ArtifactStore.put`)."""
        return self._store.put(self._path(path), data)

    def open(self, path: str) -> Iterator[bytes]:
        """Stream a file."""
        return self._store.open(self._path(path))

    def size(self, path: str) -> int:
        """A file's size."""
        return self._store.size(self._path(path))

    def delete(self, path: str) -> None:
        """Delete a file or folder (never the whole store: the root is the workspace's)."""
        target = self._path(path)
        if not target:
            raise InvalidArgumentError("Refusing to delete the root of the artifact store")
        self._store.delete(target)

    def is_dir(self, path: str) -> bool:
        """Whether ``path`` is a folder."""
        return self._store.is_dir(self._path(path))

    @property
    def supports_multipart(self) -> bool:
        """Whether the store implements multipart uploads."""
        return self._store.supports_multipart

    def create_multipart_upload(self, path: str) -> str:
        """Start a multipart upload."""
        return self._store.create_multipart_upload(self._path(path))

    def upload_part(self, path: str, upload_id: str, part_number: int, data: bytes) -> str:
        """Upload one part."""
        return self._store.upload_part(self._path(path), upload_id, part_number, data)

    def complete_multipart_upload(
        self, path: str, upload_id: str, parts: list[MultipartPart]
    ) -> None:
        """Assemble the parts."""
        self._store.complete_multipart_upload(self._path(path), upload_id, parts)

    def abort_multipart_upload(self, path: str, upload_id: str) -> None:
        """Drop an unfinished multipart upload."""
        self._store.abort_multipart_upload(self._path(path), upload_id)

    def close(self) -> None:
        """Nothing: the whole store belongs to the backend."""

    # Last: in the class body, ``list`` below names this method, not the builtin.

    def list(self, path: str = "") -> list[FileInfo]:
        """Direct children of a folder (``default``'s root without the workspaces folder)."""
        target = self._path(path)
        infos = self._store.list(target)
        if not target:
            infos = [i for i in infos if posixpath.basename(i.path) != WORKSPACES_FOLDER]
        return infos
