"""``models:/`` URIs: parse them and resolve them through a registry.

=====================================  ==============================================
URI                                    Names
=====================================  ==============================================
``models:/<name>/<version>``           that version
``models:/<name>@<alias>``             the version the alias points at
``models:/<name>@latest``,             the highest version
``models:/<name>/latest``
``models:/<name>/<stage>``             the newest version in a legacy stage
                                       (``Staging``, ``Production``, ...)
``models:/<model_id>``                 an MLflow 3 logged model (``m-<hex>``)
=====================================  ==============================================

Pure: no I/O except through the store contracts passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import ModelVersion
from ardea.store.registry import RegistryStore
from ardea.store.registry_validation import canonical_stage, parse_version
from ardea.store.tracking import TrackingStore

__all__ = ["ModelUri", "parse_model_uri", "resolve_download_uri", "resolve_model_version"]

_SCHEME = "models:"


@dataclass(frozen=True, slots=True)
class ModelUri:
    """A parsed ``models:/`` URI: exactly one of the selectors is set.

    Attributes:
        name: The registered model (None for a logged-model URI).
        version: A version number.
        alias: An alias (``latest`` means the highest version).
        stage: A canonical legacy stage name.
        model_id: A logged model id.
    """

    name: str | None = None
    version: int | None = None
    alias: str | None = None
    stage: str | None = None
    model_id: str | None = None


def _bad(uri: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"Invalid model URI {uri!r}: expected models:/<name>/<version>, models:/<name>@<alias>, "
        "models:/<name>/<stage> or models:/<model_id>"
    )


def parse_model_uri(uri: str) -> ModelUri:
    """Parse a ``models:/`` URI (see the module docstring).

    Raises:
        InvalidArgumentError: Not a ``models:/`` URI, or malformed.
    """
    if not isinstance(uri, str) or not uri.lower().startswith(_SCHEME):
        raise _bad(str(uri))
    path = uri[len(_SCHEME) :]
    if path.startswith("//"):
        raise InvalidArgumentError(
            f"Invalid model URI {uri!r}: models URIs of another registry (models://...) are not "
            "supported"
        )
    path = path.strip("/")
    if not path:
        raise _bad(uri)
    if "/" not in path:
        if "@" in path:
            name, _, alias = path.partition("@")
            if not name or not alias:
                raise _bad(uri)
            return ModelUri(name=name, alias=alias)
        return ModelUri(model_id=path)
    name, _, ref = path.partition("/")
    if not name or not ref or "/" in ref or "@" in name:
        raise _bad(uri)
    if ref.isdigit():
        number = parse_version(ref)
        if number == 0:
            raise _bad(uri)
        return ModelUri(name=name, version=number)
    if ref.lower() == "latest":
        return ModelUri(name=name, alias="latest")
    try:
        return ModelUri(name=name, stage=canonical_stage(ref))
    except InvalidArgumentError:
        raise _bad(uri) from None


def resolve_model_version(registry: RegistryStore, uri: str | ModelUri) -> ModelVersion:
    """The registered version a ``models:/`` URI names.

    Raises:
        InvalidArgumentError: The URI is malformed or names a logged model, not a version.
        NotFoundError: No such model, version or stage holder.
    """
    parsed = parse_model_uri(uri) if isinstance(uri, str) else uri
    if parsed.name is None:
        raise InvalidArgumentError(f"{uri!r} names a logged model, not a registered version")
    if parsed.version is not None:
        return registry.get_model_version(parsed.name, parsed.version)
    if parsed.alias is not None:
        return registry.get_model_version_by_alias(parsed.name, parsed.alias)
    assert parsed.stage is not None
    found = registry.get_latest_versions(parsed.name, [parsed.stage])
    if not found:
        raise NotFoundError(f"No versions of model {parsed.name!r} in stage {parsed.stage!r}")
    return found[0]


def resolve_download_uri(
    uri: str, registry: RegistryStore, tracking: TrackingStore | None = None
) -> str:
    """Where the files behind a ``models:/`` URI are (an artifact URI to download from).

    Args:
        uri: A ``models:/`` URI.
        registry: The registry that holds the named model.
        tracking: The tracking store, needed for ``models:/<model_id>`` URIs.
    """
    parsed = parse_model_uri(uri)
    if parsed.model_id is not None:
        if tracking is None:
            raise InvalidArgumentError(f"Resolving {uri!r} needs a tracking store")
        return tracking.get_logged_model(parsed.model_id).artifact_location
    version = resolve_model_version(registry, parsed)
    return registry.get_model_version_download_uri(version.name, version.version)
