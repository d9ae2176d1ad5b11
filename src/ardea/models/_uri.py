"""From a model URI to a local model directory.

Accepted: a local path or ``file:`` URI, ``runs:/<run_id>/<path>`` (the run's logged model
of that name, else the run's artifacts under ``<path>``), ``models:/<model_id>`` (a logged
model), ``models:/<name>/<version>`` and ``models:/<name>@<alias>`` (the registry), and any
artifact URI the client can read (``mlflow-artifacts:/...``, ``s3://...``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

__all__ = ["local_model_dir"]


def local_model_dir(model_uri: str, dst_path: str | None = None) -> Path:
    """The local folder holding the model's files (downloaded when remote)."""
    parsed = urlparse(model_uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if len(parsed.scheme) <= 1:  # a plain path (or one with a Windows drive letter)
        return Path(model_uri)
    from ardea.fluent import get_client
    from ardea.services.registry import resolve_registration_source

    client = get_client()
    source = model_uri
    if parsed.scheme == "runs":
        source, _run_id, _model_id = resolve_registration_source(client.store, model_uri)
    dst = Path(dst_path) if dst_path else Path(tempfile.mkdtemp(prefix="ardea-model-"))
    if source.lower().startswith("models:"):
        return Path(client.download_model(source, str(dst)))
    store = client.get_artifact_store(source)
    _download_tree(store, "", dst)
    return dst


def _download_tree(store: object, rel: str, target: Path) -> None:
    from ardea._core.errors import InvalidArgumentError
    from ardea.store.artifacts.base import ArtifactStore

    assert isinstance(store, ArtifactStore)
    target.mkdir(parents=True, exist_ok=True)
    for info in store.list(rel):
        name = info.path.rstrip("/").rsplit("/", 1)[-1]
        if name in ("", ".", "..") or "\\" in name:
            raise InvalidArgumentError(f"Refusing to download the artifact path {info.path!r}.")
        if info.is_dir:
            _download_tree(store, info.path, target / name)
        else:
            with open(target / name, "wb") as f:
                for chunk in store.open(info.path):
                    f.write(chunk)
