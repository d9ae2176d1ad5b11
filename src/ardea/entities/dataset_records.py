"""The rules of dataset records: input checks, identity, merge, schema and content digests.

Identity (MLflow's): a record is identified within its dataset by the SHA-256 of its inputs
as ``json.dumps(inputs, sort_keys=True)``; upserting a record whose inputs exist updates that
record (:func:`merge_record`), otherwise it inserts one.

Merge (MLflow's ``SqlEvaluationDatasetRecord.merge``): ``outputs`` is replaced when the new
record has the key (``None`` clears it); ``expectations`` and ``tags`` are updated key by key
(an empty dict changes nothing); ``source`` stays as first written.

Digest (Ardea's): each record's content (:data:`~ardea.entities.dataset.RECORD_FIELDS`) has
a SHA-256; a version's digest is the first 16 hex characters of the SHA-256 of the sum of its
records' hashes modulo 2^256, so it depends only on the records there are (not on the order
or the path of changes that led to them) and is kept up to date in O(change).

Limits: a record is at most :data:`RECORD_MAX_BYTES` of JSON. Pure: no database, no HTTP.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities.dataset import RECORD_FIELDS, SOURCE_TYPES

__all__ = [
    "MLFLOW_USER_TAG",
    "RECORD_MAX_BYTES",
    "SUM_MODULUS",
    "NewRecord",
    "add_to_schema",
    "canonical_json",
    "content_digest",
    "content_hash",
    "input_hash",
    "merge_record",
    "parse_records",
]

RECORD_MAX_BYTES = 1_048_576
"""Largest record, as compact JSON of its fields (1 MiB); a larger one is refused with a 400."""
MLFLOW_USER_TAG = "mlflow.user"
"""A record tag naming who wrote it (MLflow sets it from the client's user)."""
SUM_MODULUS = 2**256
"""The content hashes of a version's records are summed modulo this."""


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys (what content hashes are taken of)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def input_hash(inputs: Mapping[str, Any]) -> str:
    """A record's identity: SHA-256 hex of ``json.dumps(inputs, sort_keys=True)`` (MLflow's)."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def content_hash(content: Mapping[str, Any]) -> int:
    """The SHA-256 of a record's content fields, as an integer (for the digest's sum)."""
    data = canonical_json({name: content.get(name) for name in RECORD_FIELDS})
    return int.from_bytes(hashlib.sha256(data.encode()).digest(), "big")


def content_digest(content_sum: int) -> str:
    """The digest of a version whose records' :func:`content_hash` values sum to this."""
    return hashlib.sha256(f"{content_sum % SUM_MODULUS:064x}".encode()).hexdigest()[:16]


@dataclass
class NewRecord:
    """One checked record of an upsert request.

    Attributes:
        inputs: The inputs (a JSON object).
        outputs: The outputs; ``has_outputs`` says whether the request gave the key.
        has_outputs: Whether ``outputs`` was given (None then clears the stored outputs).
        expectations: Expectation name -> value, or None.
        tags: Tag key -> value, or None.
        source: ``{"source_type", "source_data"}``, or None.
    """

    inputs: dict[str, Any]
    outputs: Any = None
    has_outputs: bool = False
    expectations: dict[str, Any] | None = None
    tags: dict[str, Any] | None = None
    source: dict[str, Any] | None = None
    hash: str = field(default="", init=False)

    def __post_init__(self) -> None:
        self.hash = input_hash(self.inputs)

    @property
    def user(self) -> str | None:
        """The ``mlflow.user`` tag, if the record carries one."""
        value = (self.tags or {}).get(MLFLOW_USER_TAG)
        return str(value) if value is not None else None


def _object(value: Any, what: str, index: int, *, optional: bool = True) -> dict[str, Any] | None:
    if value is None and optional:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidArgumentError(
            f"Record {index}: '{what}' must be a JSON object with string keys, "
            f"not {type(value).__name__}"
        )
    return dict(value)


def _source(value: Any, index: int) -> dict[str, Any] | None:
    found = _object(value, "source", index)
    if found is None:
        return None
    kind = found.get("source_type")
    if not isinstance(kind, str) or kind.upper() not in SOURCE_TYPES:
        raise InvalidArgumentError(
            f"Record {index}: invalid source_type {kind!r}; valid source types: "
            f"{list(SOURCE_TYPES)}"
        )
    data = _object(found.get("source_data"), "source.source_data", index) or {}
    return {"source_type": kind.upper(), "source_data": data}


def _check_json(value: Any, index: int) -> int:
    """The size of the record's compact JSON; InvalidArgumentError for NaN or non-JSON."""
    try:
        text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"Record {index} is not JSON: {exc}") from None
    if "\\u0000" in text:
        raise InvalidArgumentError(f"Record {index}: NUL characters are not allowed")
    return len(text.encode())


def _one(raw: Any, index: int) -> NewRecord:
    if not isinstance(raw, Mapping):
        raise InvalidArgumentError(
            f"Record {index} must be a JSON object, not {type(raw).__name__}"
        )
    if "inputs" not in raw:
        raise InvalidArgumentError(f"Record {index} must have an 'inputs' field")
    inputs = _object(raw["inputs"], "inputs", index, optional=False)
    assert inputs is not None
    record = NewRecord(
        inputs=inputs,
        outputs=raw.get("outputs"),
        has_outputs="outputs" in raw,
        expectations=_object(raw.get("expectations"), "expectations", index),
        tags=_object(raw.get("tags"), "tags", index),
        source=_source(raw.get("source"), index),
    )
    size = _check_json(
        [record.inputs, record.outputs, record.expectations, record.tags, record.source], index
    )
    if size > RECORD_MAX_BYTES:
        raise InvalidArgumentError(
            f"Record {index} is {size} bytes of JSON; the limit is {RECORD_MAX_BYTES} bytes"
        )
    return record


def parse_records(records: Any) -> list[NewRecord]:
    """Check an upsert's records (a list of objects, each with ``inputs``).

    Unknown keys are ignored (a DataFrame from ``to_df()`` carries ``dataset_record_id``,
    ``created_time``, ...). Float NaN and infinities are refused (JSON has none).

    Raises:
        InvalidArgumentError: Not a list, a record of the wrong shape, or one too large; the
            message names the first bad record (by its index in the list).
    """
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Sequence):
        raise InvalidArgumentError(
            f"'records' must be a JSON list of records, not {type(records).__name__}"
        )
    return [_one(raw, i) for i, raw in enumerate(records)]


def merge_record(stored: Mapping[str, Any], new: NewRecord) -> dict[str, Any]:
    """The content of ``stored`` (its :data:`RECORD_FIELDS`) after upserting ``new`` over it."""
    merged = {name: stored.get(name) for name in RECORD_FIELDS}
    if new.has_outputs:
        merged["outputs"] = new.outputs
    if new.expectations:
        merged["expectations"] = {**(merged["expectations"] or {}), **new.expectations}
    if new.tags:
        merged["tags"] = {**(merged["tags"] or {}), **new.tags}
    return merged


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float" if math.isfinite(value) else "unknown"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def add_to_schema(schema: dict[str, Any] | None, records: Sequence[NewRecord]) -> dict[str, Any]:
    """``schema`` with the fields ``records`` add (MLflow's: a field keeps its first type)."""
    out: dict[str, Any] = (
        json.loads(json.dumps(schema))
        if schema
        else {"inputs": {}, "outputs": {}, "expectations": {}, "version": "1.0"}
    )
    for r in records:
        for key, value in r.inputs.items():
            out["inputs"].setdefault(key, _type_of(value))
        if r.outputs is not None:
            if isinstance(r.outputs, dict) and isinstance(out["outputs"], dict):
                for key, value in r.outputs.items():
                    out["outputs"].setdefault(key, _type_of(value))
            elif not out["outputs"]:
                out["outputs"] = _type_of(r.outputs)
        for key, value in (r.expectations or {}).items():
            out["expectations"].setdefault(key, _type_of(value))
    return out
