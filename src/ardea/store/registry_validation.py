"""Input rules of the model registry (names, versions, tags, aliases, stages).

Limits and messages follow MLflow's (``mlflow/utils/validation.py``) so MLflow clients see the
errors they expect. Every function raises :class:`InvalidArgumentError` on bad input.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence

from ardea._core.errors import InvalidArgumentError
from ardea.entities.registry import ACTIVE_STAGES, MODEL_VERSION_STAGES
from ardea.store.validation import check_no_nul, validate_key

__all__ = [
    "MAX_ALIAS_LENGTH",
    "MAX_DESCRIPTION_LENGTH",
    "MAX_MODEL_NAME_LENGTH",
    "MAX_REGISTRY_TAG_KEY_LENGTH",
    "MAX_REGISTRY_TAG_VALUE_LENGTH",
    "canonical_stage",
    "check_text",
    "parse_version",
    "tag_pairs",
    "validate_alias",
    "validate_description",
    "validate_model_name",
    "validate_registry_tag",
    "validate_settable_alias",
]

MAX_MODEL_NAME_LENGTH = 256
MAX_REGISTRY_TAG_KEY_LENGTH = 250
MAX_REGISTRY_TAG_VALUE_LENGTH = 100_000
MAX_ALIAS_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 100_000
_MAX_VERSION = 2**31 - 1

_ALIAS_RE = re.compile(r"[\w\-]*")
_VERSION_ALIAS_RE = re.compile(r"[vV]\d+")
_CANONICAL_STAGES = {s.lower(): s for s in MODEL_VERSION_STAGES}


def check_text(param: str, value: object) -> None:
    """Refuse a string holding a NUL character (PostgreSQL cannot store or compare one)."""
    check_no_nul(param, value)


def _missing(name: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"Missing value for required parameter '{name}'. See the API docs for more "
        "information about request parameters."
    )


def validate_model_name(name: object, param: str = "name") -> str:
    """Check a registered model name: non-blank, no ``/`` or ``:``, a normalized path."""
    if name is None or (isinstance(name, str) and not name.strip()):
        raise _missing(param)
    if not isinstance(name, str):
        raise InvalidArgumentError(f"Invalid value {name!r} for parameter '{param}' supplied.")
    check_text(param, name)
    if "/" in name or ":" in name:
        raise InvalidArgumentError(f"Invalid model name '{name}'. Names cannot contain '/' or ':'.")
    norm = posixpath.normpath(name)
    if norm != name or norm == "." or norm.startswith(".."):
        raise InvalidArgumentError(
            f"Invalid value '{name}' for parameter '{param}' supplied: Names may be treated as "
            "files in certain cases, and must not resolve to other names when treated as such. "
            f"This name would resolve to '{norm}'"
        )
    if len(name) > MAX_MODEL_NAME_LENGTH:
        raise InvalidArgumentError(
            f"'{param}' exceeds the maximum length of {MAX_MODEL_NAME_LENGTH} characters"
        )
    return name


def parse_version(version: object) -> int:
    """A version number from an int or its decimal string; 0 when no version can have it."""
    if isinstance(version, bool):
        raise InvalidArgumentError(f"Parameter 'version' must be an integer, got '{version}'.")
    if isinstance(version, int):
        number = version
    elif isinstance(version, str) and re.fullmatch(r"\s*[+-]?\d{1,30}\s*", version):
        number = int(version)
    else:
        if version is None or version == "":
            raise _missing("version")
        raise InvalidArgumentError(f"Parameter 'version' must be an integer, got '{version}'.")
    return number if 1 <= number <= _MAX_VERSION else 0


def validate_registry_tag(key: object, value: object) -> None:
    """Check a registered-model or model-version tag (key rules as run tags; value <= 100k)."""
    validate_key(key)
    assert isinstance(key, str)
    if len(key) > MAX_REGISTRY_TAG_KEY_LENGTH:
        raise InvalidArgumentError(
            f"'key' exceeds the maximum length of {MAX_REGISTRY_TAG_KEY_LENGTH} characters"
        )
    if value is None:
        raise InvalidArgumentError("Tag value cannot be None")
    if not isinstance(value, str):
        raise InvalidArgumentError(f"Invalid value {value!r} for parameter 'value' supplied.")
    check_text("value", value)
    if len(value) > MAX_REGISTRY_TAG_VALUE_LENGTH:
        raise InvalidArgumentError(
            f"'value' exceeds the maximum length of {MAX_REGISTRY_TAG_VALUE_LENGTH} characters"
        )


def tag_pairs(tags: Mapping[str, str] | Sequence[tuple[str, str]] | None) -> dict[str, str]:
    """Validated tags as a dict (a later duplicate key wins)."""
    if not tags:
        return {}
    pairs = tags.items() if isinstance(tags, Mapping) else tags
    out: dict[str, str] = {}
    for item in pairs:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise InvalidArgumentError(f"Invalid tag {item!r}: expected a (key, value) pair")
        key, value = item
        validate_registry_tag(key, value)
        out[key] = value
    return out


def validate_alias(alias: object) -> str:
    """Check an alias name: word characters and dashes, non-empty, at most 255 characters."""
    if alias is None or alias == "":
        raise InvalidArgumentError("Registered model alias name cannot be empty.")
    if not isinstance(alias, str) or not _ALIAS_RE.fullmatch(alias):
        raise InvalidArgumentError(
            f"Invalid alias name: '{alias}'. Names may only contain alphanumerics, "
            "underscores (_), and dashes (-)."
        )
    if len(alias) > MAX_ALIAS_LENGTH:
        raise InvalidArgumentError(
            f"'Registered model alias name' exceeds the maximum length of {MAX_ALIAS_LENGTH} "
            "characters"
        )
    return alias


def validate_settable_alias(alias: object) -> str:
    """:func:`validate_alias`, and refuse the reserved ``latest`` and ``v<digits>``."""
    checked = validate_alias(alias)
    if checked.lower() == "latest":
        raise InvalidArgumentError("'latest' alias name (case insensitive) is reserved.")
    if _VERSION_ALIAS_RE.fullmatch(checked):
        raise InvalidArgumentError(f"Version alias name '{checked}' is reserved.")
    return checked


def validate_description(description: object) -> str | None:
    """A description (None allowed), at most 100,000 characters."""
    if description is None:
        return None
    if not isinstance(description, str):
        raise InvalidArgumentError(
            f"Invalid value {description!r} for parameter 'description' supplied."
        )
    check_text("description", description)
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidArgumentError(
            f"'description' exceeds the maximum length of {MAX_DESCRIPTION_LENGTH} characters"
        )
    return description


def canonical_stage(stage: object, *, active_only: bool = False) -> str:
    """The canonical spelling of a stage name (case-insensitive input)."""
    found = _CANONICAL_STAGES.get(stage.lower()) if isinstance(stage, str) else None
    if found is None:
        raise InvalidArgumentError(
            f"Invalid Model Version stage: {stage}. Value must be one of "
            f"{', '.join(MODEL_VERSION_STAGES)}."
        )
    if active_only and found not in ACTIVE_STAGES:
        raise InvalidArgumentError(
            f"Model version transition cannot archive existing model versions because "
            f"'{stage}' is not an Active stage. Valid stages are {list(ACTIVE_STAGES)}"
        )
    return found
