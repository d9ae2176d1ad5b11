"""The model registry: registered models, their numbered versions and aliases.

Prompts live here too (MLflow stores a prompt as a registered model tagged
``mlflow.prompt.is_prompt = "true"``); model searches leave them out unless asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "ACTIVE_STAGES",
    "MODEL_VERSION_STAGES",
    "PROMPT_TAG",
    "ModelVersion",
    "ModelVersionStatus",
    "RegisteredModel",
    "RegisteredModelAlias",
]

MODEL_VERSION_STAGES: tuple[str, ...] = ("None", "Staging", "Production", "Archived")
"""The legacy stages a version can be in, canonically spelled (input is case-insensitive)."""

ACTIVE_STAGES: tuple[str, ...] = ("Staging", "Production")
"""Stages into which a transition may archive the versions already there."""

PROMPT_TAG = "mlflow.prompt.is_prompt"
"""Tag (value ``"true"``) that marks a registered model or version as a prompt."""


class ModelVersionStatus(str, Enum):
    """Registration state of a model version (Ardea registers synchronously: READY)."""

    PENDING_REGISTRATION = "PENDING_REGISTRATION"
    FAILED_REGISTRATION = "FAILED_REGISTRATION"
    READY = "READY"


@dataclass(frozen=True, slots=True)
class RegisteredModelAlias:
    """A named pointer (``champion``) from a registered model to one of its versions."""

    alias: str
    version: int


@dataclass(slots=True)
class ModelVersion:
    """One numbered version of a registered model.

    Attributes:
        name: The registered model's name.
        version: 1, 2, ... per model, assigned at registration, never reused.
        creation_timestamp: Epoch milliseconds.
        last_updated_timestamp: Epoch milliseconds.
        current_stage: Legacy stage: ``None``, ``Staging``, ``Production`` or ``Archived``.
        source: Where the model came from (``models:/m-<id>``, ``runs:/<id>/model``, a URI).
        run_id: The run that produced it, if any.
        model_id: The MLflow 3 logged model it was registered from, if any.
        storage_location: Where its files are (the download URI); ``source`` when None.
        description: Free text.
        user_id: Who registered it.
        run_link: A link to the run (free text, as given).
        status: A :class:`ModelVersionStatus` name.
        status_message: Detail for a failed registration.
        tags: Version tags.
        aliases: Aliases of the model that point at this version.
    """

    name: str
    version: int
    creation_timestamp: int
    last_updated_timestamp: int
    current_stage: str = "None"
    source: str = ""
    run_id: str | None = None
    model_id: str | None = None
    storage_location: str | None = None
    description: str | None = None
    user_id: str | None = None
    run_link: str | None = None
    status: str = ModelVersionStatus.READY.value
    status_message: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)

    @property
    def download_uri(self) -> str:
        """Where the version's files can be downloaded from."""
        return self.storage_location or self.source


@dataclass(slots=True)
class RegisteredModel:
    """A named model with numbered versions, tags and aliases.

    Attributes:
        name: Unique name.
        creation_timestamp: Epoch milliseconds.
        last_updated_timestamp: Epoch milliseconds; moves with every change to it or its
            versions.
        description: Free text.
        user_id: Who created it.
        deployment_job_id: MLflow's deployment job id, stored as given.
        tags: Model tags.
        aliases: Its aliases, sorted by name.
        latest_versions: The newest version in each stage.
    """

    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str | None = None
    user_id: str | None = None
    deployment_job_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[RegisteredModelAlias] = field(default_factory=list)
    latest_versions: list[ModelVersion] = field(default_factory=list)

    @property
    def is_prompt(self) -> bool:
        """Whether this registered model is a prompt (tagged ``mlflow.prompt.is_prompt``)."""
        return self.tags.get(PROMPT_TAG, "").lower() == "true"
