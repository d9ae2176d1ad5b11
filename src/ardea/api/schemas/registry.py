"""Model registry answers (``/mlflow/registered-models/*``, ``/mlflow/model-versions/*``).

As ``registry_json``: ``version`` is a string, times are epoch milliseconds, and absent
optional fields and empty lists are left out.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.artifacts import FileInfo
from ardea.api.schemas.common import Int64, KeyValue

__all__ = [
    "GetModelVersionDownloadUriResponse",
    "ListModelVersionArtifactsResponse",
    "ModelVersion",
    "ModelVersionResponse",
    "ModelVersionsResponse",
    "RegisteredModel",
    "RegisteredModelAlias",
    "RegisteredModelResponse",
    "SearchModelVersionsResponse",
    "SearchRegisteredModelsResponse",
]


class ModelVersion(TypedDict):
    """One version of a registered model (or of a prompt)."""

    name: str
    version: str
    creation_timestamp: Int64
    last_updated_timestamp: Int64
    user_id: NotRequired[str]
    current_stage: NotRequired[str]
    description: NotRequired[str]
    source: NotRequired[str]
    run_id: NotRequired[str]
    status: NotRequired[Literal["PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY"]]
    status_message: NotRequired[str]
    tags: NotRequired[list[KeyValue]]
    run_link: NotRequired[str]
    aliases: NotRequired[list[str]]
    model_id: NotRequired[str]


class RegisteredModelAlias(TypedDict):
    """An alias and the version it points at."""

    alias: str
    version: str


class RegisteredModel(TypedDict):
    """A registered model (prompts are registered models tagged ``mlflow.prompt.is_prompt``)."""

    name: str
    creation_timestamp: Int64
    last_updated_timestamp: Int64
    user_id: NotRequired[str]
    description: NotRequired[str]
    latest_versions: NotRequired[list[ModelVersion]]
    tags: NotRequired[list[KeyValue]]
    aliases: NotRequired[list[RegisteredModelAlias]]
    deployment_job_id: NotRequired[str]


class RegisteredModelResponse(TypedDict):
    """Create, get, rename and update of a registered model."""

    registered_model: RegisteredModel


class SearchRegisteredModelsResponse(TypedDict):
    """SearchRegisteredModels: one page; ``next_page_token`` only when more follow."""

    registered_models: list[RegisteredModel]
    next_page_token: NotRequired[str]


class ModelVersionResponse(TypedDict):
    """Create, get, update, stage transition and alias lookup of a model version."""

    model_version: ModelVersion


class ModelVersionsResponse(TypedDict):
    """GetLatestVersions: the newest version per requested stage."""

    model_versions: list[ModelVersion]


class SearchModelVersionsResponse(TypedDict):
    """SearchModelVersions: one page; ``next_page_token`` only when more follow."""

    model_versions: list[ModelVersion]
    next_page_token: NotRequired[str]


class GetModelVersionDownloadUriResponse(TypedDict):
    """GetModelVersionDownloadUri: where the version's files are."""

    artifact_uri: str


class ListModelVersionArtifactsResponse(TypedDict):
    """A registered version's files: where they are, and one folder's entries.

    The entries' paths are relative to ``root_uri``.
    """

    root_uri: str
    files: list[FileInfo]
