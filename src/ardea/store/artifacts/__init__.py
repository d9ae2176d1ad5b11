"""Artifact storage: one small contract, local-folder and object-store backends."""

from ardea.store.artifacts.base import ArtifactStore, MultipartPart
from ardea.store.artifacts.local import LocalArtifactStore
from ardea.store.artifacts.object_store import ObjectArtifactStore
from ardea.store.artifacts.paths import artifact_key, safe_relpath
from ardea.store.artifacts.resolve import resolve_artifact_store, split_artifact_uri

__all__ = [
    "ArtifactStore",
    "LocalArtifactStore",
    "MultipartPart",
    "ObjectArtifactStore",
    "artifact_key",
    "resolve_artifact_store",
    "safe_relpath",
    "split_artifact_uri",
]
