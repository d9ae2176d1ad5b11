"""``Feedback`` and ``Expectation``: the assessments users build, with MLflow's constructors.

Both are :class:`~ardea.entities.assessment.Assessment` records (stores take and answer them)
whose constructors take MLflow's arguments::

    Feedback(name="correctness", value=True, rationale="matches the docs",
             source=AssessmentSource("LLM_JUDGE", "gpt-4.1-mini"))
    Expectation(name="expected_response", value="Paris")

:func:`make_assessment` builds the right subclass from record fields (the stores' loaders use
it); :func:`with_fields` is ``dataclasses.replace`` for assessments.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import traceback
from collections.abc import Mapping
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea._core.ids import now_ms
from ardea.entities.assessment import (
    Assessment,
    AssessmentError,
    AssessmentSource,
    AssessmentSourceType,
)

__all__ = [
    "DEFAULT_FEEDBACK_NAME",
    "Expectation",
    "Feedback",
    "json_value",
    "make_assessment",
    "with_fields",
]

DEFAULT_FEEDBACK_NAME = "feedback"
"""The name a feedback gets when none is given (as in MLflow)."""

_STACK_TRACE_LIMIT = 10_000
_TRUNCATED = "[Stack trace is truncated]\n...\n"
_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Assessment))
_FIELDS = frozenset(_FIELD_NAMES)
_GET_FIELDS = operator.attrgetter(*_FIELD_NAMES)


def json_value(value: Any, what: str = "Feedback value") -> Any:
    """``value`` as plain JSON data: None, bool, int, float, str, lists and string-keyed dicts.

    Tuples become lists; NumPy-style scalars (with ``.item()``) become Python numbers.

    Raises:
        InvalidArgumentError: Anything else (a set, an object, NaN or infinity, a non-string
            dict key), naming where in the value it is.
    """
    return _json(value, what, "value")


def _where(what: str, path: str) -> str:
    return what if path == "value" else f"{what} at {path}"


def _json(value: Any, what: str, path: str) -> Any:
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidArgumentError(f"{_where(what, path)} must be a finite number, got {value}")
        return value
    if isinstance(value, (list, tuple)):
        return [_json(v, what, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise InvalidArgumentError(f"{_where(what, path)} has a non-string key {k!r}")
            out[k] = _json(v, what, f"{path}[{k!r}]")
        return out
    item = getattr(value, "item", None)
    if callable(item):
        try:
            inner = item()
        except (TypeError, ValueError):
            inner = value
        if inner is not value and isinstance(inner, (bool, int, float, str)):
            return _json(inner, what, path)
    raise InvalidArgumentError(
        f"{_where(what, path)} must be a JSON value (None, bool, int, float, str, list or dict "
        f"with string keys), got {type(value).__name__}: {value!r:.200}"
    )


def _source(source: Any, default: AssessmentSourceType) -> AssessmentSource:
    if source is None:
        return AssessmentSource(default.value)
    if isinstance(source, AssessmentSource):
        return source
    source_type = getattr(source, "source_type", None)
    if isinstance(source_type, str):  # e.g. mlflow.entities.AssessmentSource
        return AssessmentSource(source_type, getattr(source, "source_id", None))
    raise InvalidArgumentError(
        f"`source` must be an instance of `AssessmentSource`. Got {type(source)} instead."
    )


def _metadata(metadata: Mapping[str, Any] | None) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise InvalidArgumentError(f"`metadata` must be a dict, got {type(metadata).__name__}")
    return {str(k): str(v) for k, v in metadata.items()}


def _error(error: Any) -> AssessmentError | None:
    if error is None or isinstance(error, AssessmentError):
        return error
    if isinstance(error, BaseException):
        trace = "".join(traceback.format_exception(error))
        if len(trace) > _STACK_TRACE_LIMIT:
            trace = _TRUNCATED + trace[-(_STACK_TRACE_LIMIT - len(_TRUNCATED)) :]
        return AssessmentError(type(error).__name__, str(error), trace)
    if isinstance(error, str):
        return AssessmentError("ASSESSMENT_ERROR", error)
    raise InvalidArgumentError(
        f"'error' must be an Exception, AssessmentError, or string. Got: {type(error)}"
    )


def _init_record(obj: Assessment, fields: dict[str, Any]) -> None:
    Assessment.__init__(obj, **fields)


class Feedback(Assessment):
    """A judgement of a trace or span: a value (any JSON value) or an error, and a rationale.

    Args:
        name: What is judged, e.g. ``"correctness"`` (default ``"feedback"``).
        value: bool, number, string, or a list or dict of them (any JSON value).
        error: Why there is no value: an exception, an :class:`AssessmentError` or a message.
        source: Who judged (default: ``CODE``).
        trace_id: The trace it belongs to (set when it is logged).
        metadata: Extra strings (values are converted to strings).
        span_id: The span it is about, if one.
        create_time_ms: Creation time (default: now).
        last_update_time_ms: Last update (default: the creation time).
        rationale: Why this value.
        overrides: The id of the feedback this one replaces.
        valid: False once another feedback overrides this one.

    Raises:
        InvalidArgumentError: A value that is not JSON, a bad source or error.

    Example::

        Feedback(name="relevance", value=0.9, rationale="on topic",
                 source=AssessmentSource("LLM_JUDGE", "gpt-4.1-mini"))
    """

    __slots__ = ()

    def __init__(
        self,
        name: str = DEFAULT_FEEDBACK_NAME,
        value: Any = None,
        error: BaseException | AssessmentError | str | None = None,
        source: AssessmentSource | None = None,
        trace_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        span_id: str | None = None,
        create_time_ms: int | None = None,
        last_update_time_ms: int | None = None,
        rationale: str | None = None,
        overrides: str | None = None,
        valid: bool = True,
        **record: Any,
    ) -> None:
        if record:  # dataclasses.replace() passes every record field
            named: dict[str, Any] = {"error": error, "rationale": rationale}
            named.update(overrides=overrides, valid=valid, metadata=metadata, span_id=span_id)
            _from_replace(self, record, name=name, value=value, trace_id=trace_id, **named)
            return
        src = _source(source, AssessmentSourceType.CODE)
        created = now_ms() if create_time_ms is None else int(create_time_ms)
        _init_record(
            self,
            {
                "assessment_id": "",
                "trace_id": trace_id or "",
                "name": name,
                "kind": "feedback",
                "value": json_value(value),
                "source_type": src.source_type,
                "source_id": src.source_id or "default",
                "create_time": created,
                "last_update_time": created
                if last_update_time_ms is None
                else int(last_update_time_ms),
                "rationale": rationale,
                "error": _error(error),
                "metadata": _metadata(metadata),
                "span_id": span_id,
                "overrides": overrides,
                "valid": valid,
            },
        )


class Expectation(Assessment):
    """What a trace should have produced (ground truth), e.g. the expected answer.

    Args:
        name: What is expected, e.g. ``"expected_response"``.
        value: Any JSON value (required).
        source: Who set it (default: ``HUMAN``).
        trace_id: The trace it belongs to (set when it is logged).
        metadata: Extra strings (values are converted to strings).
        span_id: The span it is about, if one.
        create_time_ms: Creation time (default: now).
        last_update_time_ms: Last update (default: the creation time).

    Raises:
        InvalidArgumentError: No value, a value that is not JSON, or a bad source.

    Example::

        Expectation(name="expected_facts", value=["Paris", "capital"])
    """

    __slots__ = ()

    def __init__(
        self,
        name: str,
        value: Any,
        source: AssessmentSource | None = None,
        trace_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        span_id: str | None = None,
        create_time_ms: int | None = None,
        last_update_time_ms: int | None = None,
        **record: Any,
    ) -> None:
        if record:  # dataclasses.replace() passes every record field
            named = {"metadata": metadata, "span_id": span_id}
            _from_replace(self, record, name=name, value=value, trace_id=trace_id, **named)
            return
        if value is None:
            raise InvalidArgumentError("The `value` field must be specified.")
        src = _source(source, AssessmentSourceType.HUMAN)
        created = now_ms() if create_time_ms is None else int(create_time_ms)
        _init_record(
            self,
            {
                "assessment_id": "",
                "trace_id": trace_id or "",
                "name": name,
                "kind": "expectation",
                "value": json_value(value, "Expectation value"),
                "source_type": src.source_type,
                "source_id": src.source_id or "default",
                "create_time": created,
                "last_update_time": created
                if last_update_time_ms is None
                else int(last_update_time_ms),
                "metadata": _metadata(metadata),
                "span_id": span_id,
            },
        )


def _from_replace(obj: Assessment, record: dict[str, Any], **named: Any) -> None:
    """Fill ``obj`` from every field of a record (the call ``dataclasses.replace`` makes)."""
    fields = {**record, **named}
    unknown = set(record) - _FIELDS
    if unknown or set(fields) != _FIELDS:
        raise TypeError(f"unexpected keyword argument(s) {sorted(unknown or record)}")
    _init_record(obj, fields)


_KINDS: dict[str, type[Assessment]] = {"feedback": Feedback, "expectation": Expectation}


def make_assessment(**fields: Any) -> Assessment:
    """The :class:`Feedback` or :class:`Expectation` (by ``kind``) with these record fields.

    Fields are taken as they are (no validation): loaders use this to answer typed objects.
    An unknown kind gives a plain :class:`Assessment`.
    """
    cls = _KINDS.get(fields.get("kind", ""), Assessment)
    obj = object.__new__(cls)
    _init_record(obj, fields)
    return obj


def with_fields(assessment: Assessment, **changes: Any) -> Assessment:
    """A copy of ``assessment`` with some record fields changed (typed by its kind)."""
    fields = dict(zip(_FIELD_NAMES, _GET_FIELDS(assessment), strict=True))
    fields.update(changes)
    cls = _KINDS.get(fields["kind"], Assessment)
    obj = object.__new__(cls)
    Assessment.__init__(obj, **fields)
    return obj
