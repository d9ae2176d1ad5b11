"""Input checks of the dataset store's arguments.

Records are checked by :func:`ardea.entities.dataset_records.parse_records`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.store.sql._db.metadata import KEY_LENGTH

__all__ = [
    "NAME_MAX",
    "TAG_VALUE_MAX",
    "check_dataset_id",
    "check_max_results",
    "check_name",
    "check_tags",
    "experiment_numbers",
]

NAME_MAX = 255
"""Longest dataset name (MLflow's column)."""
TAG_VALUE_MAX = 5000
"""Longest tag value (MLflow's column)."""
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,36}")


def check_dataset_id(dataset_id: object) -> str:
    """The id, or InvalidArgumentError when it cannot be a dataset id."""
    if not isinstance(dataset_id, str) or not _ID.fullmatch(dataset_id):
        raise InvalidArgumentError(f"Invalid dataset id {str(dataset_id)[:80]!r}")
    return dataset_id


def check_name(name: object) -> str:
    """A non-empty name of at most :data:`NAME_MAX` characters, without NUL."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError("Dataset name must be a non-empty string")
    if len(name) > NAME_MAX or "\x00" in name:
        raise InvalidArgumentError(
            f"Dataset name must be at most {NAME_MAX} characters, without NUL characters"
        )
    return name


def check_tags(tags: Mapping[str, Any], *, stringify: bool = False) -> dict[str, str]:
    """Tags as ``{str: str}``: keys 1-250 characters, values at most 5000 (no NUL anywhere).

    ``stringify`` turns non-string values into strings (MLflow's ``set_dataset_tags``).
    """
    if not isinstance(tags, Mapping):
        raise InvalidArgumentError("Dataset tags must be a JSON object")
    out: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not key or len(key) > KEY_LENGTH or "\x00" in key:
            raise InvalidArgumentError(
                f"Invalid tag key {str(key)[:80]!r}: 1 to {KEY_LENGTH} characters, no NUL"
            )
        if not isinstance(value, str):
            if not stringify or value is None:
                raise InvalidArgumentError(f"Tag {key!r}: the value must be a string")
            value = str(value)
        if len(value) > TAG_VALUE_MAX or "\x00" in value:
            raise InvalidArgumentError(
                f"Tag {key!r}: the value must be at most {TAG_VALUE_MAX} characters, no NUL"
            )
        out[key] = value
    return out


def check_max_results(max_results: object, limit: int) -> int:
    """``max_results`` between 1 and ``limit``."""
    if (
        not isinstance(max_results, int)
        or isinstance(max_results, bool)
        or not 1 <= max_results <= limit
    ):
        raise InvalidArgumentError(
            f"max_results must be between 1 and {limit}, got {max_results!r}"
        )
    return max_results


def experiment_numbers(experiment_ids: Sequence[object]) -> list[int]:
    """Experiment ids as integers (duplicates dropped, order kept)."""
    if isinstance(experiment_ids, str):
        experiment_ids = [experiment_ids]
    out: dict[int, None] = {}
    for value in experiment_ids:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise InvalidArgumentError(f"Invalid experiment id {str(value)[:80]!r}") from None
        if not 0 <= number < 2**31:
            raise InvalidArgumentError(f"Invalid experiment id {value!r}")
        out[number] = None
    return list(out)
