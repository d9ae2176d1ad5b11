"""Input rules of the tracking store: key syntax, length limits and batch limits.

The limits and messages follow MLflow's (``mlflow/utils/validation.py``), so MLflow clients see
the errors they expect. Every function raises :class:`InvalidArgumentError` on bad input and
returns nothing (or the cleaned value) otherwise.

No string holding a NUL character (U+0000) reaches a store: PostgreSQL can neither store
nor compare one (its driver raises, which was a 500), SQLite and MySQL would store it. Every
backend refuses it here, the same way (:func:`check_no_nul`; :func:`validate_length`,
:func:`validate_key` and :func:`validate_experiment_name` include it). Values a store keeps
as JSON text (an assessment's value) are escaped there and round-trip.
"""

from __future__ import annotations

import functools
import numbers
import posixpath
import re
import urllib.parse
from collections.abc import Sequence

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Metric, Param, RunTag
from ardea.store.artifacts.paths import RESERVED_PREFIX

__all__ = [
    "MAX_DATASET_DIGEST_LENGTH",
    "MAX_DATASET_NAME_LENGTH",
    "MAX_ARTIFACT_LOCATION_LENGTH",
    "MAX_ENTITIES_PER_BATCH",
    "MAX_ENTITY_KEY_LENGTH",
    "MAX_EXPERIMENT_NAME_LENGTH",
    "MAX_EXPERIMENT_TAG_VALUE_LENGTH",
    "MAX_METRICS_PER_BATCH",
    "MAX_PARAMS_TAGS_PER_BATCH",
    "MAX_PARAM_VALUE_LENGTH",
    "MAX_TAG_VALUE_LENGTH",
    "check_no_nul",
    "validate_artifact_location",
    "validate_batch",
    "validate_experiment_id",
    "validate_experiment_name",
    "validate_experiment_tag",
    "validate_key",
    "validate_length",
    "validate_max_results",
    "validate_metric",
    "validate_param",
    "validate_run_tag",
]

MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_TAGS_PER_BATCH = 100
MAX_ENTITIES_PER_BATCH = 1000
MAX_ENTITY_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
MAX_EXPERIMENT_NAME_LENGTH = 500
MAX_EXPERIMENT_TAG_VALUE_LENGTH = 20000
MAX_DATASET_NAME_LENGTH = 500
MAX_DATASET_DIGEST_LENGTH = 64
MAX_DATASET_SOURCE_TYPE_LENGTH = 36
MAX_RUN_NAME_LENGTH = 250
MAX_ARTIFACT_LOCATION_LENGTH = 1900
"""Leaves room under the 2000-character column for ``/<run_id>/artifacts``."""
MAX_INT64 = 2**63 - 1

_KEY_RE = re.compile(r"[/\w.\- :]*")
_EXPERIMENT_ID_RE = re.compile(r"[a-zA-Z0-9][\w\-]{0,63}")
_BAD_CHARS = (
    "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), "
    "spaces ( ), colon(:) and slashes (/)."
)


def check_no_nul(name: str, value: object) -> None:
    """Refuse a string, or a string in a list or tuple, that holds a NUL character.

    Args:
        name: The parameter, for the message.
        value: Anything; only strings (and lists/tuples of them) are checked.

    Raises:
        InvalidArgumentError: A NUL character was found.
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidArgumentError(
                f"Invalid value for parameter '{name}' supplied: NUL characters are not allowed."
            )
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_no_nul(name, item)


def _invalid_value(path: str, value: object, message: str | None = None) -> str:
    shown = repr(value) if isinstance(value, str) else str(value)
    if message:
        return f"Invalid value {shown} for parameter '{path}' supplied: {message}"
    return f"Invalid value {shown} for parameter '{path}' supplied."


@functools.lru_cache(maxsize=8192)
def _key_ok(key: str) -> bool:
    if not key or len(key) > MAX_ENTITY_KEY_LENGTH or not _KEY_RE.fullmatch(key):
        return False
    norm = posixpath.normpath(key)
    return norm == key and norm != "." and not norm.startswith(("..", "/"))


def validate_key(key: object, path: str = "key") -> str:
    """Check a param, metric or tag key: allowed characters and a normalized relative path.

    Returns:
        The key.
    """
    if type(key) is str and _key_ok(key):  # the common case, cached
        return key
    if key is None or key == "":
        raise InvalidArgumentError(f"Missing value for required parameter '{path}'.")
    if not isinstance(key, str):
        raise InvalidArgumentError(_invalid_value(path, key, "Keys must be strings."))
    if not _KEY_RE.fullmatch(key):
        raise InvalidArgumentError(_invalid_value(path, key, _BAD_CHARS))
    norm = posixpath.normpath(key)
    if norm != key or norm == "." or norm.startswith("..") or norm.startswith("/"):
        raise InvalidArgumentError(
            _invalid_value(
                path,
                key,
                "Names may be treated as files in certain cases, and must not resolve to "
                f"other names when treated as such. This name would resolve to {norm!r}",
            )
        )
    if len(key) > MAX_ENTITY_KEY_LENGTH:
        raise InvalidArgumentError(
            f"'{path}' exceeds the maximum length of {MAX_ENTITY_KEY_LENGTH} characters"
        )
    return key


def validate_length(name: str, value: object, limit: int) -> str:
    """Check that ``value`` is a string of at most ``limit`` characters, without NUL."""
    if not isinstance(value, str):
        raise InvalidArgumentError(_invalid_value(name, value, "Expected a string."))
    if len(value) > limit:
        raise InvalidArgumentError(f"'{name}' exceeds the maximum length of {limit} characters")
    check_no_nul(name, value)
    return value


def validate_metric(metric: Metric, path: str = "") -> None:
    """Check a metric point: key, a real number value, a non-negative timestamp, an int64 step."""
    key, value, ts, step = metric.key, metric.value, metric.timestamp, metric.step
    if (
        type(key) is str
        and _key_ok(key)
        and type(value) in (float, int)
        and type(ts) is int
        and 0 <= ts <= MAX_INT64
        and type(step) is int
        and -MAX_INT64 - 1 <= step <= MAX_INT64
        and metric.dataset_name is None
        and metric.dataset_digest is None
        and metric.model_id is None
    ):
        return  # the common case, without building error paths
    prefix = f"{path}." if path else ""
    check_no_nul(f"{prefix}dataset_name", metric.dataset_name)
    check_no_nul(f"{prefix}dataset_digest", metric.dataset_digest)
    check_no_nul(f"{prefix}model_id", metric.model_id)
    validate_key(metric.key, f"{prefix}name" if path else "key")
    value = metric.value
    if value is None:
        raise InvalidArgumentError(f"Missing value for required parameter '{prefix}value'.")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(
            _invalid_value(
                f"{prefix}value",
                value,
                f"(timestamp={metric.timestamp}). "
                "Please specify value as a valid double (64-bit floating point)",
            )
        )
    ts = metric.timestamp
    if isinstance(ts, bool) or not isinstance(ts, numbers.Integral) or not 0 <= ts <= MAX_INT64:
        raise InvalidArgumentError(
            _invalid_value(
                f"{prefix}timestamp",
                ts,
                f"metric '{metric.key}' (value={value}). "
                "Timestamp must be a nonnegative long (64-bit integer) ",
            )
        )
    step = metric.step
    if (
        isinstance(step, bool)
        or not isinstance(step, numbers.Integral)
        or not -MAX_INT64 - 1 <= step <= MAX_INT64
    ):
        raise InvalidArgumentError(
            _invalid_value(
                f"{prefix}step",
                step,
                f"metric '{metric.key}' (value={value}). Step must be a valid long (64-bit "
                "integer).",
            )
        )


def validate_param(param: Param, path: str = "") -> None:
    """Check a param key and that its value has at most 6000 characters."""
    prefix = f"{path}." if path else ""
    validate_key(param.key, f"{prefix}key")
    validate_length(f"{prefix}value", param.value, MAX_PARAM_VALUE_LENGTH)


def validate_run_tag(tag: RunTag, path: str = "") -> None:
    """Check a run tag key and that its value has at most 8000 characters."""
    prefix = f"{path}." if path else ""
    validate_key(tag.key, f"{prefix}key")
    validate_length(f"{prefix}value", tag.value, MAX_TAG_VALUE_LENGTH)


def validate_experiment_tag(key: str, value: str) -> None:
    """Check an experiment tag: key rules and a value of at most 20000 characters."""
    validate_key(key, "key")
    validate_length("value", value, MAX_EXPERIMENT_TAG_VALUE_LENGTH)


def validate_experiment_name(name: object) -> str:
    """Check an experiment name: a non-empty string of at most 500 characters."""
    if name is None or name == "":
        raise InvalidArgumentError(f"Invalid experiment name: '{name or ''}'")
    if not isinstance(name, str):
        raise InvalidArgumentError(f"Invalid experiment name: {name}. Expects a string.")
    if len(name) > MAX_EXPERIMENT_NAME_LENGTH:
        raise InvalidArgumentError(
            f"'name' exceeds the maximum length of {MAX_EXPERIMENT_NAME_LENGTH} characters"
        )
    check_no_nul("name", name)
    return name


def validate_artifact_location(location: object) -> str:
    """Check an experiment's artifact location as a client gives it.

    Refused: a non-string, more than :data:`MAX_ARTIFACT_LOCATION_LENGTH` characters, NUL,
    a ``runs:/`` URI, and a location inside one of Ardea's own folders: any path segment
    starting with ``.ardea-`` (``.ardea-mpu``, where multipart uploads are staged and swept
    after a week; ``.ardea-tmp-*`` and ``.ardea-del-*``, a store's temporary files). Runs
    logged there would be deleted by the sweeper, or collide with the store's own files.

    Returns:
        The location.
    """
    validate_length("artifact_location", location, MAX_ARTIFACT_LOCATION_LENGTH)
    assert isinstance(location, str)
    if location.startswith("runs:"):
        raise InvalidArgumentError(f"Artifact location cannot be a runs:/ URI. Given: '{location}'")
    path = urllib.parse.urlsplit(location).path if "://" in location or ":/" in location else ""
    for text in (location, path, urllib.parse.unquote(path)):
        if any(part.startswith(RESERVED_PREFIX) for part in re.split(r"[/\\]", text)):
            raise InvalidArgumentError(
                f"Invalid artifact location '{location}': path segments starting with "
                f"'{RESERVED_PREFIX}' are the server's own folders (multipart staging, "
                "temporary files), which it cleans up on its own."
            )
    return location


def validate_experiment_id(experiment_id: object) -> int:
    """Parse an experiment id of the SQL store (an integer string) into an int.

    Raises:
        InvalidArgumentError: The id is not a well-formed experiment id.
    """
    if isinstance(experiment_id, int) and not isinstance(experiment_id, bool):
        return experiment_id
    if not isinstance(experiment_id, str) or not _EXPERIMENT_ID_RE.fullmatch(experiment_id):
        raise InvalidArgumentError(f"Invalid experiment ID: '{experiment_id}'")
    try:
        return int(experiment_id)
    except ValueError:
        raise InvalidArgumentError(
            f"Invalid experiment ID '{experiment_id}'. Experiment ID must be a valid integer."
        ) from None


def _check_limit(entity: str, limit: int, count: int) -> None:
    if count > limit:
        raise InvalidArgumentError(
            f"A batch logging request can contain at most {limit} {entity}. Got {count} "
            f"{entity}. Please split up {entity} across multiple requests and try again."
        )


def validate_batch(
    metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag]
) -> None:
    """Check a log-batch request: counts, each entity, and no duplicate param keys."""
    _check_limit("metrics", MAX_METRICS_PER_BATCH, len(metrics))
    _check_limit("params", MAX_PARAMS_TAGS_PER_BATCH, len(params))
    _check_limit("tags", MAX_PARAMS_TAGS_PER_BATCH, len(tags))
    _check_limit(
        "metrics, params, and tags", MAX_ENTITIES_PER_BATCH, len(metrics) + len(params) + len(tags)
    )
    lo, hi = -MAX_INT64 - 1, MAX_INT64
    for i, m in enumerate(metrics):
        # The common case inline (a call and an error-path string per point cost a tenth of a
        # 1,000-point batch); anything unusual gets validate_metric's exact error.
        ts, step, tv = m.timestamp, m.step, type(m.value)
        if not (
            type(ts) is int
            and 0 <= ts <= hi
            and type(step) is int
            and lo <= step <= hi
            and (tv is float or tv is int)
            and type(m.key) is str
            and _key_ok(m.key)
            and m.dataset_name is None
            and m.dataset_digest is None
            and m.model_id is None
        ):
            validate_metric(m, f"metrics[{i}]")
    for i, p in enumerate(params):
        validate_param(p, f"params[{i}]")
    for i, t in enumerate(tags):
        validate_run_tag(t, f"tags[{i}]")
    seen: set[str] = set()
    dupes: list[str] = []
    for p in params:
        if p.key in seen:
            dupes.append(p.key)
        seen.add(p.key)
    if dupes:
        raise InvalidArgumentError(
            f"Duplicate parameter keys have been submitted: {dupes}. Please ensure the request "
            "contains only one param value per param key."
        )


def validate_max_results(max_results: object, limit: int, name: str = "max_results") -> int:
    """Check that ``max_results`` is an int in ``1..limit`` and return it."""
    if (
        isinstance(max_results, bool)
        or not isinstance(max_results, int)
        or not 1 <= max_results <= limit
    ):
        raise InvalidArgumentError(
            f"Invalid value {max_results} for parameter '{name}' supplied. It must be a positive "
            f"integer at most {limit}."
        )
    return max_results
