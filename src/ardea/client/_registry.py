"""The model registry half of ArdeaClient: registered models, versions, tags and aliases.

Every method delegates to the backend's :class:`~ardea.store.registry.RegistryStore` (same
database when embedded, same server over HTTP).
"""

from __future__ import annotations

import os
import posixpath
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ardea._core.errors import InvalidArgumentError
from ardea.client._base import ClientBase
from ardea.entities import ModelVersion, PagedList, RegisteredModel

if TYPE_CHECKING:
    from ardea.store.artifacts.base import ArtifactStore

__all__ = ["RegistryMixin"]


def _str_tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (tags or {}).items()}


class RegistryMixin(ClientBase):
    """Model registry methods of :class:`ArdeaClient`."""

    def get_artifact_store(self, artifact_uri: str) -> ArtifactStore:  # pragma: no cover
        """The artifact store at a URI (implemented by the artifacts mixin)."""
        raise NotImplementedError

    # Registered models
    def create_registered_model(
        self, name: str, tags: Mapping[str, Any] | None = None, description: str | None = None
    ) -> RegisteredModel:
        """Create a registered model (AlreadyExistsError if the name is taken)."""
        return self.registry.create_registered_model(name, _str_tags(tags), description)

    def get_registered_model(self, name: str) -> RegisteredModel:
        """The registered model with its tags, aliases and latest version per stage."""
        return self.registry.get_registered_model(name)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Rename a registered model (its versions, tags and aliases follow)."""
        return self.registry.rename_registered_model(name, new_name)

    def update_registered_model(self, name: str, description: str | None = None) -> RegisteredModel:
        """Change a registered model's description."""
        return self.registry.update_registered_model(name, description=description)

    def delete_registered_model(self, name: str) -> None:
        """Delete a registered model with all its versions."""
        self.registry.delete_registered_model(name)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        """One page of registered models (prompts are left out unless the filter asks)."""
        return self.registry.search_registered_models(
            filter_string or None, max_results, order_by or (), page_token
        )

    def set_registered_model_tag(self, name: str, key: str, value: Any) -> None:
        """Set a registered model tag (stringified)."""
        self.registry.set_registered_model_tag(name, key, str(value))

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Delete a registered model tag."""
        self.registry.delete_registered_model_tag(name, key)

    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        """Point an alias (``champion``) at a version."""
        self.registry.set_registered_model_alias(name, alias, version)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias."""
        self.registry.delete_registered_model_alias(name, alias)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version an alias points at (``latest``: the highest version)."""
        return self.registry.get_model_version_by_alias(name, alias)

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        """The newest version in each legacy stage (all stages when None)."""
        return self.registry.get_latest_versions(name, stages or ())

    # Model versions
    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Mapping[str, Any] | None = None,
        run_link: str | None = None,
        description: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion:
        """Register ``source`` as the next version of an existing registered model."""
        return self.registry.create_model_version(
            name,
            source,
            run_id=run_id,
            tags=_str_tags(tags),
            run_link=run_link,
            description=description,
            model_id=model_id,
        )

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        """One version with its tags and aliases."""
        return self.registry.get_model_version(name, version)

    def update_model_version(
        self, name: str, version: int | str, description: str | None = None
    ) -> ModelVersion:
        """Change a version's description."""
        return self.registry.update_model_version(name, version, description)

    def delete_model_version(self, name: str, version: int | str) -> None:
        """Delete a version (its number is never reused)."""
        self.registry.delete_model_version(name, version)

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 10000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        """One page of model versions (``name = 'fraud'``, ``run_id = '...'``, tags)."""
        return self.registry.search_model_versions(
            filter_string or None, max_results, order_by or (), page_token
        )

    def set_model_version_tag(self, name: str, version: int | str, key: str, value: Any) -> None:
        """Set a version tag (stringified)."""
        self.registry.set_model_version_tag(name, version, key, str(value))

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        """Delete a version tag."""
        self.registry.delete_model_version_tag(name, version, key)

    def transition_model_version_stage(
        self, name: str, version: int | str, stage: str, archive_existing_versions: bool = False
    ) -> ModelVersion:
        """Move a version to a legacy stage (deprecated in MLflow, still supported)."""
        return self.registry.transition_model_version_stage(
            name, version, stage, archive_existing_versions
        )

    def get_model_version_download_uri(self, name: str, version: int | str) -> str:
        """Where a version's files are."""
        return self.registry.get_model_version_download_uri(name, version)

    # URIs
    def resolve_model_uri(self, model_uri: str) -> str:
        """The artifact URI behind ``models:/name/3``, ``models:/name@alias``, ``models:/m-...``."""
        from ardea.store.registry_uri import resolve_download_uri

        return resolve_download_uri(model_uri, self.registry, self.store)

    def register_model(
        self,
        model_uri: str,
        name: str,
        tags: Mapping[str, Any] | None = None,
        description: str | None = None,
    ) -> ModelVersion:
        """Register ``model_uri`` as the next version of ``name`` (creating the model).

        Args:
            model_uri: ``runs:/<run_id>/<path>``, ``models:/<model_id>``,
                ``models:/<name>/<version>`` (or ``@alias``) or any artifact URI.
            name: The registered model.
            tags: Tags of the new version.
            description: Description of the new version.
        """
        from ardea.services.registry import register_model

        return register_model(
            self.store, self.registry, model_uri, name, _str_tags(tags), description
        )

    def download_model(self, model_uri: str, dst_path: str | None = None) -> str:
        """Download the files of a registered version (``models:/fraud@champion``).

        Args:
            model_uri: A ``models:/`` URI.
            dst_path: Local folder (a new temporary folder when None).

        Returns:
            The local folder holding the version's files.
        """
        from ardea._core.progress import byte_progress

        store = self.get_artifact_store(model_uri)
        dst = Path(dst_path) if dst_path else Path(tempfile.mkdtemp(prefix="ardea-model-"))
        dst.mkdir(parents=True, exist_ok=True)
        files = _files(store, "", dst)
        total = sum(size for _, _, size in files)
        with byte_progress(f"download {model_uri}", total) as advance:
            for rel, target, _ in files:
                target.parent.mkdir(parents=True, exist_ok=True)
                part = target.with_name(target.name + ".part")
                with open(part, "wb") as f:
                    for chunk in store.open(rel):
                        f.write(chunk)
                        advance(len(chunk))
                os.replace(part, target)
        return str(dst)


def _files(store: ArtifactStore, rel: str, target: Path) -> list[tuple[str, Path, int]]:
    """Every file under ``rel``: its store path, local path under ``target`` and size."""
    out: list[tuple[str, Path, int]] = []
    for info in store.list(rel):
        name = posixpath.basename(info.path.rstrip("/"))
        if name in ("", ".", "..") or "\\" in name:
            raise InvalidArgumentError(f"Refusing to download the artifact path {info.path!r}.")
        if info.is_dir:
            out.extend(_files(store, info.path, target / name))
        else:
            out.append((info.path, target / name, info.file_size or 0))
    return out
