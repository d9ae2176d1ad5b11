"""Shapes shared by many answers: int64 and double scalars, key-value pairs, errors, ``{}``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

__all__ = ["Double", "EmptyResponse", "ErrorResponse", "Int64", "KeyValue", "Metric"]

Int64 = Annotated[int, Field(json_schema_extra={"format": "int64"})]
"""An int64 field: a JSON number (as MLflow's server sends them, never a string)."""

Double = Annotated[
    float | Literal["NaN", "Infinity", "-Infinity"],
    Field(description='A number, or "NaN", "Infinity" or "-Infinity" as a string.'),
]
"""A double field: a JSON number, or one of the three strings JSON has no number for."""


class KeyValue(TypedDict):
    """A tag or param: ``{key, value}``."""

    key: str
    value: str


class Metric(TypedDict):
    """One metric point; ``run_id`` only in bulk reads and on logged models."""

    key: str
    value: Double
    timestamp: Int64
    step: Int64
    dataset_name: NotRequired[str]
    dataset_digest: NotRequired[str]
    model_id: NotRequired[str]
    run_id: NotRequired[str]


class ErrorResponse(TypedDict):
    """MLflow's error envelope, the body of every error answer.

    ``error_code`` is an MLflow code name such as ``INVALID_PARAMETER_VALUE`` or
    ``RESOURCE_DOES_NOT_EXIST``; ``message`` is meant for people.
    """

    error_code: str
    message: str


class EmptyResponse(TypedDict):
    """``{}``: the answer of write RPCs that return nothing."""
