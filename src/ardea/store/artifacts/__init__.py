"""Artifact storage: one small contract, local-folder and object-store backends."""

from ardea.store.artifacts.base import ArtifactStore, MultipartPart
from ardea.store.artifacts.paths import safe_relpath

__all__ = ["ArtifactStore", "MultipartPart", "safe_relpath"]
