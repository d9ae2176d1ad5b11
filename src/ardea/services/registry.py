"""Registering a model from a URI: what ``ardea.register_model`` does, over store contracts.

``runs:/<run_id>/<path>`` names the run's logged model called ``<path>`` when there is one
(MLflow 3: the version's source becomes ``models:/<model_id>``), else the run's artifacts under
``<path>``. ``models:/<model_id>`` names a logged model; ``models:/<name>/<version>`` (or
``@alias``) another registered version; anything else is used as the source as given.
"""

from __future__ import annotations

from collections.abc import Mapping

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError
from ardea.entities import ModelVersion
from ardea.store.registry import RegistryStore
from ardea.store.registry_uri import parse_model_uri
from ardea.store.tracking import TrackingStore

__all__ = ["register_model", "resolve_registration_source"]


def _runs_uri(tracking: TrackingStore, uri: str) -> tuple[str, str | None, str | None]:
    rest = uri[len("runs:") :].lstrip("/")
    run_id, _, path = rest.partition("/")
    path = path.strip("/")
    if not run_id or not path:
        raise InvalidArgumentError(f"Invalid runs URI {uri!r}: expected runs:/<run_id>/<path>")
    run = tracking.get_run(run_id)
    if "'" not in path and '"' not in path:
        found = tracking.search_logged_models(
            [run.info.experiment_id],
            filter_string=f"source_run_id = '{run_id}' AND name = '{path}'",
            max_results=1,
        )
        if found:
            return f"models:/{found[0].model_id}", run_id, found[0].model_id
    return f"{run.info.artifact_uri.rstrip('/')}/{path}", run_id, None


def resolve_registration_source(
    tracking: TrackingStore, model_uri: str
) -> tuple[str, str | None, str | None]:
    """The ``(source, run_id, model_id)`` a version registered from ``model_uri`` gets."""
    if not isinstance(model_uri, str) or not model_uri:
        raise InvalidArgumentError("A model URI is required")
    if model_uri.lower().startswith("runs:"):
        return _runs_uri(tracking, model_uri)
    if model_uri.lower().startswith("models:"):
        parsed = parse_model_uri(model_uri)
        if parsed.model_id is not None:
            model = tracking.get_logged_model(parsed.model_id)
            return model_uri, model.source_run_id, model.model_id
    return model_uri, None, None


def register_model(
    tracking: TrackingStore,
    registry: RegistryStore,
    model_uri: str,
    name: str,
    tags: Mapping[str, str] | None = None,
    description: str | None = None,
) -> ModelVersion:
    """Register ``model_uri`` as the next version of ``name``, creating the model if needed.

    Args:
        tracking: Where runs and logged models are.
        registry: The registry (the same backend's).
        model_uri: ``runs:/<run_id>/<path>``, ``models:/<model_id>``, ``models:/<name>/<v>``
            or any artifact URI.
        name: The registered model's name.
        tags: Tags of the new version.
        description: Description of the new version.

    Returns:
        The new version (READY).
    """
    source, run_id, model_id = resolve_registration_source(tracking, model_uri)
    try:
        registry.create_registered_model(name)
    except AlreadyExistsError:
        pass
    return registry.create_model_version(
        name,
        source,
        run_id=run_id,
        tags=dict(tags or {}),
        description=description,
        model_id=model_id,
    )
