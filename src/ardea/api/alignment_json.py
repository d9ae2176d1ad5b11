"""Judge alignment records on the wire (``/ardea/judges/alignments/*``).

The create request carries the JSON fields as strings (``params_json``, ``labels_json``,
``before_json``, ``after_json``), as the scorer registry carries ``serialized_scorer``; the
answers carry them as objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities.scorer import JudgeAlignment

__all__ = ["JSON_FIELDS", "alignment_from_json", "alignment_to_json", "create_body", "parse_fields"]

JSON_FIELDS = ("params", "labels", "before", "after")
"""The alignment's JSON-object fields."""


def alignment_to_json(a: JudgeAlignment) -> dict[str, Any]:
    """The record as the routes answer it."""
    return a.to_dict()


def alignment_from_json(data: Mapping[str, Any]) -> JudgeAlignment:
    """The record a route answered."""
    return JudgeAlignment(
        alignment_id=str(data["alignment_id"]),
        experiment_id=str(data["experiment_id"]),
        name=str(data["name"]),
        optimizer=str(data["optimizer"]),
        base_version=data.get("base_version"),
        new_version=data.get("new_version"),
        promoted=bool(data.get("promoted")),
        reason=str(data.get("reason") or ""),
        creation_time=int(data.get("creation_time") or 0),
        **{k: dict(data.get(k) or {}) for k in JSON_FIELDS},
    )


def create_body(a: JudgeAlignment) -> dict[str, Any]:
    """The create request for ``a`` (JSON fields as strings)."""
    body: dict[str, Any] = {
        "experiment_id": a.experiment_id,
        "name": a.name,
        "optimizer": a.optimizer,
        "promoted": a.promoted,
        "reason": a.reason,
        **{f"{k}_json": json.dumps(getattr(a, k)) for k in JSON_FIELDS},
    }
    for key in ("base_version", "new_version"):
        if getattr(a, key) is not None:
            body[key] = getattr(a, key)
    return body


def parse_fields(req: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The JSON fields of a create request, parsed (absent: ``{}``).

    Raises:
        InvalidArgumentError: A field that is not a JSON object.
    """
    out: dict[str, dict[str, Any]] = {}
    for key in JSON_FIELDS:
        text = req.get(f"{key}_json")
        if not text:
            out[key] = {}
            continue
        try:
            value = json.loads(text)
        except ValueError:
            raise InvalidArgumentError(f"'{key}_json' is not valid JSON") from None
        if not isinstance(value, dict):
            raise InvalidArgumentError(f"'{key}_json' must be a JSON object")
        out[key] = value
    return out
