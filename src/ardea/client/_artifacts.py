"""The artifact half of ArdeaClient: where a run's files live, and logging files to it."""

from __future__ import annotations

import json
import os
import posixpath
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from ardea._core.errors import InvalidArgumentError
from ardea._core.progress import byte_progress
from ardea.client import _serialize
from ardea.client._base import ClientBase
from ardea.entities import FileInfo, Run
from ardea.store.artifacts.paths import safe_relpath

if TYPE_CHECKING:
    from ardea.store.artifacts.base import ArtifactStore

__all__ = ["ArtifactsMixin", "LOGGED_ARTIFACTS_TAG"]

LOGGED_ARTIFACTS_TAG = "mlflow.loggedArtifacts"
PROXY_SCHEME = "mlflow-artifacts"


def _join(*parts: str | None) -> str:
    return posixpath.join(*[p for p in parts if p]) if any(parts) else ""


class ArtifactsMixin(ClientBase):
    """Artifact methods of :class:`ArdeaClient`."""

    _artifact_stores: dict[str, Any]

    def get_run(self, run_id: str) -> Run:  # pragma: no cover - implemented by ArdeaClient
        """The run."""
        raise NotImplementedError

    def set_tag(self, run_id: str, key: str, value: Any) -> None:  # pragma: no cover
        """Set a run tag."""
        raise NotImplementedError

    if TYPE_CHECKING:

        def resolve_model_uri(self, model_uri: str) -> str:
            """The artifact URI behind a ``models:/`` URI (from RegistryMixin)."""
            ...

    # Resolution
    def get_artifact_store(self, artifact_uri: str) -> ArtifactStore:
        """The artifact store rooted at ``artifact_uri`` (cached per URI).

        ``mlflow-artifacts:/<path>`` is served by the tracking server when the tracking URI
        is http(s), and is the embedded artifacts destination joined with ``<path>``
        otherwise; other schemes (``file:``, plain folders, ``s3://``) resolve directly.
        ``models:/`` URIs (``models:/fraud@champion``) resolve through the model registry
        first, on every call (aliases move).
        """
        if artifact_uri.lower().startswith("models:"):
            artifact_uri = self.resolve_model_uri(artifact_uri)
        with self._lock:
            cached = self._artifact_stores.get(artifact_uri)
            if cached is None:
                cached = self._make_artifact_store(artifact_uri)
                self._artifact_stores[artifact_uri] = cached
            return cached

    def _make_artifact_store(self, artifact_uri: str) -> ArtifactStore:
        parsed = urlparse(artifact_uri)
        if parsed.scheme != PROXY_SCHEME:
            from ardea.store.artifacts.resolve import resolve_artifact_store

            return resolve_artifact_store(artifact_uri)
        path = parsed.path.lstrip("/")
        if parsed.netloc:  # another server's proxy, named in the URI
            from ardea.store.rest import HttpArtifactStore

            secure = urlparse(self.tracking_uri).scheme == "https"
            return HttpArtifactStore(f"{'https' if secure else 'http'}://{parsed.netloc}", path)
        return self.backend.artifacts_at(path)

    def run_artifact_store(self, run_id: str) -> ArtifactStore:
        """The artifact store rooted at the run's ``artifact_uri``."""
        return self.get_artifact_store(self.get_run(run_id).info.artifact_uri)

    # Files and folders
    def log_artifact(self, run_id: str, local_path: str, artifact_path: str | None = None) -> None:
        """Upload one local file into the run's artifacts (under ``artifact_path``)."""
        src = Path(local_path)
        if not src.is_file():
            raise InvalidArgumentError(f"log_artifact: {local_path!r} is not a file.")
        dest = _join(safe_relpath(artifact_path), src.name)
        with byte_progress(f"upload {src.name}", src.stat().st_size) as advance:
            advance(self.run_artifact_store(run_id).put_file(dest, src))

    def log_artifacts(self, run_id: str, local_dir: str, artifact_path: str | None = None) -> None:
        """Upload a local folder's files (recursively) into the run's artifacts."""
        root = Path(local_dir)
        if not root.is_dir():
            raise InvalidArgumentError(f"log_artifacts: {local_dir!r} is not a folder.")
        store = self.run_artifact_store(run_id)
        prefix = safe_relpath(artifact_path)
        files = [
            Path(dirpath) / name
            for dirpath, _dirs, names in os.walk(root)
            for name in sorted(names)
        ]
        total = sum(f.stat().st_size for f in files)
        with byte_progress(f"upload {root.name}/ ({len(files)} files)", total) as advance:
            for full in files:
                rel = full.relative_to(root).as_posix()
                advance(store.put_file(_join(prefix, rel), full))

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[FileInfo]:
        """Direct children of a folder of the run's artifacts (paths relative to the run)."""
        return self.run_artifact_store(run_id).list(safe_relpath(path))

    def download_artifacts(self, run_id: str, path: str = "", dst_path: str | None = None) -> str:
        """Download a file or folder of the run's artifacts; returns its local path."""
        store = self.run_artifact_store(run_id)
        rel = safe_relpath(path)
        dst = Path(dst_path) if dst_path else Path(tempfile.mkdtemp(prefix="ardea-"))
        dst.mkdir(parents=True, exist_ok=True)
        if rel == "" or store.is_dir(rel):
            target = dst / rel if rel else dst
            target.mkdir(parents=True, exist_ok=True)
            files = _tree_files(store, rel, target)
            total = sum(size for _, _, size in files)
            with byte_progress(f"download {rel or 'artifacts'}/", total) as advance:
                for path, local, _ in files:
                    _download_file(store, path, local, advance)
            return str(target)
        target = dst / rel
        with byte_progress(f"download {posixpath.basename(rel)}", store.size(rel)) as advance:
            _download_file(store, rel, target, advance)
        return str(target)

    # Objects
    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        """Write ``text`` (UTF-8) as the artifact file ``artifact_file``."""
        if not isinstance(text, str):
            raise InvalidArgumentError(f"log_text needs a str, not {type(text).__name__}.")
        self._put(run_id, artifact_file, text.encode("utf-8"))

    def log_dict(self, run_id: str, dictionary: dict[str, Any], artifact_file: str) -> None:
        """Write a dict as JSON (or YAML for ``.yaml``/``.yml``)."""
        self._put(run_id, artifact_file, _serialize.dict_bytes(dictionary, artifact_file))

    def log_figure(
        self,
        run_id: str,
        figure: Any,
        artifact_file: str,
        *,
        save_kwargs: dict[str, Any] | None = None,
    ) -> None:
        """Save a matplotlib or plotly figure in the format of ``artifact_file``'s extension."""
        self._put(
            run_id, artifact_file, _serialize.figure_bytes(figure, artifact_file, save_kwargs)
        )

    def log_image(self, run_id: str, image: Any, artifact_file: str) -> None:
        """Save a PIL image or numpy array as an image file (PNG unless the extension says)."""
        self._put(run_id, artifact_file, _serialize.image_bytes(image, artifact_file))

    def log_table(self, run_id: str, data: Any, artifact_file: str) -> None:
        """Save a dict of columns or a DataFrame as JSON in MLflow's table format.

        The file is also listed in the run tag ``mlflow.loggedArtifacts`` with type ``table``,
        as MLflow does, so UIs can show it as a table.
        """
        if not artifact_file.endswith(".json"):
            raise InvalidArgumentError("log_table: artifact_file must end in '.json'.")
        self._put(run_id, artifact_file, _serialize.table_bytes(data))
        run = self.get_run(run_id)
        try:
            entries = json.loads(run.data.tags.get(LOGGED_ARTIFACTS_TAG, "[]"))
        except ValueError:
            entries = []
        entry = {"path": safe_relpath(artifact_file), "type": "table"}
        if entry not in entries:
            entries.append(entry)
            self.set_tag(run_id, LOGGED_ARTIFACTS_TAG, json.dumps(entries))

    def _put(self, run_id: str, artifact_file: str, data: bytes) -> None:
        self.run_artifact_store(run_id).put(safe_relpath(artifact_file, allow_root=False), data)


def _download_file(
    store: ArtifactStore, rel: str, target: Path, advance: Callable[[int], object]
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with open(tmp, "wb") as f:
        for chunk in store.open(rel):
            f.write(chunk)
            advance(len(chunk))
    os.replace(tmp, target)


def _tree_files(store: ArtifactStore, rel: str, target: Path) -> list[tuple[str, Path, int]]:
    """Every file under ``rel``: its store path, local path under ``target`` and size."""
    out: list[tuple[str, Path, int]] = []
    for info in store.list(rel):
        name = posixpath.basename(info.path)
        if info.is_dir:
            (target / name).mkdir(parents=True, exist_ok=True)
            out.extend(_tree_files(store, info.path, target / name))
        else:
            out.append((info.path, target / name, info.file_size or 0))
    return out
