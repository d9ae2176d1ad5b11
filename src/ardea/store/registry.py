"""The model registry contract: registered models, model versions, tags and aliases.

Backends: ``store.sql.registry.SqlRegistryStore`` (SQLite, PostgreSQL, MySQL, on the tracking
database). Invariants live in the backend, inside its transactions: names are unique, version
numbers are assigned per model as 1, 2, ... (concurrent registrations get distinct, gapless
numbers; a deleted version's number is never reused), an alias names exactly one version.

Conventions (as :mod:`ardea.store.tracking`): ``get_*`` raises :class:`ardea.NotFoundError`,
bad input :class:`ardea.InvalidArgumentError`, a taken name :class:`ardea.AlreadyExistsError`;
``search_*`` returns a :class:`PagedList` whose ``token`` continues the search; times are epoch
milliseconds. ``version`` arguments accept an int or its decimal string.

Prompts are registered models tagged ``mlflow.prompt.is_prompt = "true"``: the searches leave
them out unless the filter names that tag (``tags.`mlflow.prompt.is_prompt` = 'true'``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from ardea.entities import ModelVersion, PagedList, RegisteredModel

__all__ = [
    "MODEL_VERSIONS_MAX_RESULTS_DEFAULT",
    "MODEL_VERSIONS_MAX_RESULTS_LIMIT",
    "REGISTERED_MODELS_MAX_RESULTS_DEFAULT",
    "REGISTERED_MODELS_MAX_RESULTS_LIMIT",
    "ModelVersionStore",
    "RegisteredModelStore",
    "RegistryStore",
    "Tags",
]

REGISTERED_MODELS_MAX_RESULTS_DEFAULT = 100
REGISTERED_MODELS_MAX_RESULTS_LIMIT = 1000
MODEL_VERSIONS_MAX_RESULTS_DEFAULT = 10000
MODEL_VERSIONS_MAX_RESULTS_LIMIT = 200000

Tags = Mapping[str, str] | Sequence[tuple[str, str]]
"""Tags as a mapping or as (key, value) pairs."""


class RegisteredModelStore(ABC):
    """Registered models, their tags and aliases."""

    @abstractmethod
    def create_registered_model(
        self,
        name: str,
        tags: Tags = (),
        description: str | None = None,
        deployment_job_id: str | None = None,
    ) -> RegisteredModel:
        """Create a registered model; AlreadyExistsError if the name is taken."""

    @abstractmethod
    def get_registered_model(self, name: str) -> RegisteredModel:
        """The registered model with its tags, aliases and latest version per stage."""

    @abstractmethod
    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Rename a model; its versions, tags and aliases follow. AlreadyExistsError if taken."""

    @abstractmethod
    def update_registered_model(
        self, name: str, description: str | None = None, deployment_job_id: str | None = None
    ) -> RegisteredModel:
        """Change the description and/or deployment job id (None leaves a field unchanged)."""

    @abstractmethod
    def delete_registered_model(self, name: str) -> None:
        """Delete a model with all its versions, tags and aliases."""

    @abstractmethod
    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        """Models matching ``name = / LIKE / ILIKE / IN`` and ``tags.<k>`` clauses, paged.

        ``order_by``: ``name``, ``creation_timestamp``, ``last_updated_timestamp`` (alias
        ``timestamp``), each ``ASC``/``DESC``; ties (and the default) by ``name ASC``.
        """

    def search_registered_models_wire(
        self,
        filter_string: str | None = None,
        max_results: int = REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[dict[str, Any]]:
        """:meth:`search_registered_models` with each model as its MLflow JSON message.

        The server's search answer. Stores that can build the messages straight from their
        rows override it (the SQL store does); this default converts the entities.
        """
        from ardea.api.registry_json import registered_model_to_json

        page = self.search_registered_models(filter_string, max_results, order_by, page_token)
        return PagedList([registered_model_to_json(m) for m in page], page.token)

    @abstractmethod
    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        """Set (or overwrite) a model tag."""

    @abstractmethod
    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Delete a model tag (no error if it is not set; NotFoundError for a missing model)."""

    @abstractmethod
    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        """Point ``alias`` at a version (moving it if it pointed elsewhere).

        ``latest`` (any case) and ``v<digits>`` are reserved: InvalidArgumentError.
        """

    @abstractmethod
    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias (no error if it is not set; NotFoundError for a missing model)."""

    @abstractmethod
    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version an alias points at; ``latest`` (any case) is the highest version.

        Raises:
            NotFoundError: No such model, or ``latest`` of a model without versions.
            InvalidArgumentError: The alias is not set (as MLflow answers).
        """

    @abstractmethod
    def get_latest_versions(self, name: str, stages: Sequence[str] = ()) -> list[ModelVersion]:
        """The newest version in each of ``stages`` (all stages when empty)."""


class ModelVersionStore(ABC):
    """Model versions and their tags."""

    @abstractmethod
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
        """Register the next version (max + 1, in one transaction) of an existing model.

        ``source`` ``models:/m-<id>`` names a logged model: its artifact location becomes the
        download URI and its source run the ``run_id`` (unless given). ``models:/<name>/<v>``
        and ``models:/<name>@<alias>`` copy that version's download URI. The version is READY
        at once.
        """

    @abstractmethod
    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        """One version with its tags and aliases."""

    @abstractmethod
    def update_model_version(
        self, name: str, version: int | str, description: str | None = None
    ) -> ModelVersion:
        """Change a version's description (None leaves it unchanged)."""

    @abstractmethod
    def delete_model_version(self, name: str, version: int | str) -> None:
        """Delete a version (and the aliases pointing at it); its number is not reused."""

    @abstractmethod
    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        """Versions matching the filter, ordered and paged.

        Filter keys: ``name``, ``run_id``, ``source_path`` (= != LIKE ILIKE IN NOT IN),
        ``version_number`` (numeric) and ``tags.<k>``.

        ``order_by``: ``name``, ``version_number``, ``creation_timestamp``,
        ``last_updated_timestamp``; by default MLflow's ``last_updated_timestamp DESC``; ties by
        ``name ASC, version DESC``.
        """

    def search_model_versions_wire(
        self,
        filter_string: str | None = None,
        max_results: int = MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] = (),
        page_token: str | None = None,
    ) -> PagedList[dict[str, Any]]:
        """:meth:`search_model_versions` with each version as its MLflow JSON message.

        As :meth:`RegisteredModelStore.search_registered_models_wire`; this default converts
        the entities.
        """
        from ardea.api.registry_json import model_version_to_json

        page = self.search_model_versions(filter_string, max_results, order_by, page_token)
        return PagedList([model_version_to_json(v) for v in page], page.token)

    @abstractmethod
    def set_model_version_tag(self, name: str, version: int | str, key: str, value: str) -> None:
        """Set (or overwrite) a version tag."""

    @abstractmethod
    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        """Delete a version tag (no error if it is not set)."""

    @abstractmethod
    def get_model_version_download_uri(self, name: str, version: int | str) -> str:
        """Where the version's files are (the logged model's artifacts for ``models:/m-``)."""

    @abstractmethod
    def transition_model_version_stage(
        self, name: str, version: int | str, stage: str, archive_existing_versions: bool = False
    ) -> ModelVersion:
        """Move a version to a legacy stage (case-insensitive ``None``/``Staging``/...).

        With ``archive_existing_versions`` (only for Staging/Production), the other versions in
        that stage move to ``Archived`` in the same transaction.
        """


class RegistryStore(RegisteredModelStore, ModelVersionStore, ABC):
    """The whole model registry.

    Closing releases the store's own resources (a store opened on a shared database leaves
    the database open).
    """

    def close(self) -> None:
        """Release resources; the default does nothing."""
