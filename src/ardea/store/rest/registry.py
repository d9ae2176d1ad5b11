"""The model registry over a server's MLflow REST API (Ardea or MLflow)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ardea.api.registry_json import model_version_from_json, registered_model_from_json
from ardea.entities import ModelVersion, PagedList, RegisteredModel
from ardea.store.registry import (
    MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
    REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
    RegistryStore,
    Tags,
)
from ardea.store.registry_validation import tag_pairs
from ardea.store.rest.http import RestClient

__all__ = ["RestRegistryStore"]

_RM = "/api/2.0/mlflow/registered-models"
_MV = "/api/2.0/mlflow/model-versions"


def _tags(tags: Tags) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in tag_pairs(tags).items()]


def _version(version: int | str) -> str:
    return str(version) if not isinstance(version, bool) else repr(version)


class RestRegistryStore(RegistryStore):
    """A :class:`RegistryStore` that is a client of an Ardea or MLflow server.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: Optional ready-made :class:`RestClient` (e.g. shared with a RestTrackingStore).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._owns_rest = rest is None
        self._rest = rest or RestClient(self.uri)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        if method == "GET":
            return self._rest.call(method, path, params=body)
        return self._rest.call(method, path, json=body or {})

    # -- registered models ---------------------------------------------------------------------

    def create_registered_model(
        self,
        name: str,
        tags: Tags = (),
        description: str | None = None,
        deployment_job_id: str | None = None,
    ) -> RegisteredModel:
        """Create a registered model; AlreadyExistsError if the name is taken."""
        body: dict[str, Any] = {"name": name, "tags": _tags(tags)}
        if description is not None:
            body["description"] = description
        if deployment_job_id is not None:
            body["deployment_job_id"] = deployment_job_id
        out = self._call("POST", f"{_RM}/create", body)
        return registered_model_from_json(out["registered_model"])

    def get_registered_model(self, name: str) -> RegisteredModel:
        """The registered model with its tags, aliases and latest version per stage."""
        out = self._call("GET", f"{_RM}/get", {"name": name})
        return registered_model_from_json(out["registered_model"])

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Rename a model; its versions, tags and aliases follow."""
        out = self._call("POST", f"{_RM}/rename", {"name": name, "new_name": new_name})
        return registered_model_from_json(out["registered_model"])

    def update_registered_model(
        self, name: str, description: str | None = None, deployment_job_id: str | None = None
    ) -> RegisteredModel:
        """Change the description and/or deployment job id (None leaves a field unchanged)."""
        body: dict[str, Any] = {"name": name}
        if description is not None:
            body["description"] = description
        if deployment_job_id is not None:
            body["deployment_job_id"] = deployment_job_id
        out = self._call("PATCH", f"{_RM}/update", body)
        return registered_model_from_json(out["registered_model"])

    def delete_registered_model(self, name: str) -> None:
        """Delete a model with all its versions, tags and aliases."""
        self._call("DELETE", f"{_RM}/delete", {"name": name})

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        """Models matching the filter (prompts excluded unless asked for), ordered and paged."""
        params = {
            "filter": filter_string or None,
            "max_results": max_results,
            "order_by": list(order_by or ()),
            "page_token": page_token or None,
        }
        out = self._call("GET", f"{_RM}/search", params)
        models = [registered_model_from_json(m) for m in out.get("registered_models") or []]
        return PagedList(models, out.get("next_page_token") or None)

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        """Set (or overwrite) a model tag."""
        self._call("POST", f"{_RM}/set-tag", {"name": name, "key": key, "value": value})

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Delete a model tag (no error if it is not set)."""
        self._call("DELETE", f"{_RM}/delete-tag", {"name": name, "key": key})

    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        """Point ``alias`` at a version (moving it if it pointed elsewhere)."""
        body = {"name": name, "alias": alias, "version": _version(version)}
        self._call("POST", f"{_RM}/alias", body)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias (no error if it is not set)."""
        self._call("DELETE", f"{_RM}/alias", {"name": name, "alias": alias})

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version an alias points at; ``latest`` is the highest version."""
        out = self._call("GET", f"{_RM}/alias", {"name": name, "alias": alias})
        return model_version_from_json(out["model_version"])

    def get_latest_versions(self, name: str, stages: Sequence[str] = ()) -> list[ModelVersion]:
        """The newest version in each of ``stages`` (all stages when empty)."""
        body = {"name": name, "stages": list(stages or ())}
        out = self._call("POST", f"{_RM}/get-latest-versions", body)
        return [model_version_from_json(v) for v in out.get("model_versions") or []]

    # -- model versions ------------------------------------------------------------------------

    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Tags = (),
        run_link: str | None = None,
        description: str | None = None,
        model_id: str | None = None,
        user_id: str | None = None,
    ) -> ModelVersion:
        """Register the next version of an existing model (``user_id`` is set by the server)."""
        body: dict[str, Any] = {"name": name, "source": source, "tags": _tags(tags)}
        for key, value in (
            ("run_id", run_id),
            ("run_link", run_link),
            ("description", description),
            ("model_id", model_id),
        ):
            if value is not None:
                body[key] = value
        out = self._call("POST", f"{_MV}/create", body)
        return model_version_from_json(out["model_version"])

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        """One version with its tags and aliases."""
        out = self._call("GET", f"{_MV}/get", {"name": name, "version": _version(version)})
        return model_version_from_json(out["model_version"])

    def update_model_version(
        self, name: str, version: int | str, description: str | None = None
    ) -> ModelVersion:
        """Change a version's description (None leaves it unchanged)."""
        body: dict[str, Any] = {"name": name, "version": _version(version)}
        if description is not None:
            body["description"] = description
        out = self._call("PATCH", f"{_MV}/update", body)
        return model_version_from_json(out["model_version"])

    def delete_model_version(self, name: str, version: int | str) -> None:
        """Delete a version; its number is not reused."""
        self._call("DELETE", f"{_MV}/delete", {"name": name, "version": _version(version)})

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        """Versions matching the filter, ordered and paged."""
        params = {
            "filter": filter_string or None,
            "max_results": max_results,
            "order_by": list(order_by or ()),
            "page_token": page_token or None,
        }
        out = self._call("GET", f"{_MV}/search", params)
        versions = [model_version_from_json(v) for v in out.get("model_versions") or []]
        return PagedList(versions, out.get("next_page_token") or None)

    def set_model_version_tag(self, name: str, version: int | str, key: str, value: str) -> None:
        """Set (or overwrite) a version tag."""
        body = {"name": name, "version": _version(version), "key": key, "value": value}
        self._call("POST", f"{_MV}/set-tag", body)

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        """Delete a version tag (no error if it is not set)."""
        body = {"name": name, "version": _version(version), "key": key}
        self._call("DELETE", f"{_MV}/delete-tag", body)

    def get_model_version_download_uri(self, name: str, version: int | str) -> str:
        """Where the version's files are."""
        params = {"name": name, "version": _version(version)}
        return str(self._call("GET", f"{_MV}/get-download-uri", params)["artifact_uri"])

    def transition_model_version_stage(
        self, name: str, version: int | str, stage: str, archive_existing_versions: bool = False
    ) -> ModelVersion:
        """Move a version to a legacy stage, optionally archiving the others in that stage."""
        body = {
            "name": name,
            "version": _version(version),
            "stage": stage,
            "archive_existing_versions": bool(archive_existing_versions),
        }
        out = self._call("POST", f"{_MV}/transition-stage", body)
        return model_version_from_json(out["model_version"])

    def close(self) -> None:
        """Close the HTTP client if this store created it."""
        if self._owns_rest:
            self._rest.close()
