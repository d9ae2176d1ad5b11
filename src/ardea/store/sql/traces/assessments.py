"""Assessments (feedback and expectations) of the SQL trace store, as a mixin."""

from __future__ import annotations

import dataclasses
import json
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.ids import new_assessment_id, now_ms
from ardea.entities import Assessment
from ardea.entities.feedback import with_fields
from ardea.store.sql._db.common import chunked
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.load import assessment_from_row
from ardea.store.sql.traces.statements import execute_rows, traces_by_ids
from ardea.store.validation import check_no_nul

__all__ = ["SqlAssessments", "prepare_assessment", "require_trace", "require_traces"]

_KINDS = ("feedback", "expectation", "issue")
_INSERT = t.assessments.insert()
_UPDATABLE = frozenset({"name", "value", "rationale", "metadata", "valid", "error"})


def require_trace(conn: Connection, scope: WorkspaceScope, trace_id: str) -> Any:
    """The ``traces`` row of ``trace_id`` in ``scope``; NotFoundError if there is none."""
    if not isinstance(trace_id, str) or not trace_id:
        raise InvalidArgumentError(f"Invalid trace id {trace_id!r}")
    check_no_nul("trace_id", trace_id)
    tr = t.traces.c
    row = conn.execute(
        sa.select(t.traces).where(tr.trace_id == trace_id, scope.owns_experiment(tr.experiment_id))
    ).first()
    if row is None:
        raise NotFoundError(f"Trace with ID {trace_id} is not found.")
    return row


def require_traces(conn: Connection, scope: WorkspaceScope, trace_ids: Sequence[str]) -> None:
    """:func:`require_trace` of many traces, in one read per 500 ids (NotFoundError)."""
    for trace_id in trace_ids:
        if not isinstance(trace_id, str) or not trace_id:
            raise InvalidArgumentError(f"Invalid trace id {trace_id!r}")
        check_no_nul("trace_id", trace_id)
    query = traces_by_ids(scope)
    for chunk in chunked(sorted(set(trace_ids))):
        visible = {r.trace_id for r in conn.execute(query, {"trace_ids": chunk}) if r.visible}
        for trace_id in chunk:
            if trace_id not in visible:
                raise NotFoundError(f"Trace with ID {trace_id} is not found.")


_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
"""``json.dumps(value, ensure_ascii=False, allow_nan=False)`` without building an encoder
per call (the same text)."""
_ENCODE_PLAIN = json.JSONEncoder().encode
"""``json.dumps(value)``, likewise."""
_SCALARS: dict[Any, str] = {True: "true", False: "false", None: "null"}


def _dumps(value: Any) -> str:
    if value is True or value is False or value is None:  # most judges' values
        return _SCALARS[value]
    try:
        return _ENCODE(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"Assessment value is not JSON-serializable: {exc}") from None


def _check_metadata(metadata: object) -> dict[str, str]:
    if not isinstance(metadata, Mapping):
        raise InvalidArgumentError("Assessment metadata must map strings to strings")
    for key, value in metadata.items():
        if not (isinstance(key, str) and isinstance(value, str)):
            raise InvalidArgumentError("Assessment metadata must map strings to strings")
        if "\x00" in key or "\x00" in value:
            check_no_nul("metadata", [key, value])  # raises
    return dict(metadata)


_TEXT_FIELDS = (
    "trace_id",
    "assessment_id",
    "name",
    "source_type",
    "source_id",
    "rationale",
    "span_id",
    "overrides",
)
_GET_TEXTS = operator.attrgetter(*_TEXT_FIELDS)


def _check_texts(a: Assessment) -> None:
    """Refuse NUL in the assessment's text columns (its value and error are JSON, escaped)."""
    for name, value in zip(_TEXT_FIELDS, _GET_TEXTS(a), strict=True):
        if value is None or (value.__class__ is str and "\x00" not in value):
            continue
        check_no_nul(name, value)


def _row(a: Assessment) -> dict[str, Any]:
    error = dataclasses.asdict(a.error) if a.error is not None else None
    return {
        "assessment_id": a.assessment_id,
        "trace_id": a.trace_id,
        "span_id": a.span_id or None,
        "name": a.name,
        "kind": a.kind,
        "value": _dumps(a.value),
        "source_type": a.source_type,
        "source_id": a.source_id or "default",
        "create_time": a.create_time,
        "last_update_time": a.last_update_time,
        "rationale": a.rationale,
        "error": _ENCODE_PLAIN(error) if error is not None else None,
        "metadata": _ENCODE_PLAIN(_check_metadata(a.metadata or {})),
        "overrides": a.overrides or None,
        "valid": bool(a.valid),
    }


def _get(conn: Connection, scope: WorkspaceScope, trace_id: str, assessment_id: str) -> Any:
    check_no_nul("trace_id", trace_id)
    check_no_nul("assessment_id", assessment_id)
    a, tr = t.assessments.c, t.traces.c
    row = conn.execute(
        sa.select(t.assessments)
        .join(t.traces, tr.trace_id == a.trace_id)
        .where(
            a.assessment_id == assessment_id,
            a.trace_id == trace_id,
            scope.owns_experiment(tr.experiment_id),
        )
    ).first()
    if row is None:
        raise NotFoundError(f"Assessment with ID {assessment_id} not found in trace {trace_id}")
    return row


def prepare_assessment(assessment: Assessment) -> tuple[Assessment, dict[str, Any]]:
    """Check an assessment to store; set its id and times if empty.

    A new id is time-ordered (:func:`ardea._core.ids.new_assessment_id`), so assessments of one
    millisecond sort in creation order.

    Returns:
        The assessment as stored and its ``assessments`` row.

    Raises:
        InvalidArgumentError: Unknown kind, bad name, NUL characters, a value that is not
            JSON, or metadata that is not strings.
    """
    if assessment.kind not in _KINDS:
        raise InvalidArgumentError(
            f"Invalid assessment kind {assessment.kind!r}: expected feedback, expectation or issue"
        )
    if not isinstance(assessment.name, str) or not 0 < len(assessment.name) <= 250:
        raise InvalidArgumentError("An assessment needs a name of 1 to 250 characters")
    _check_texts(assessment)
    now = now_ms()
    stored = with_fields(
        assessment,
        assessment_id=assessment.assessment_id or new_assessment_id(),
        create_time=assessment.create_time or now,
        last_update_time=assessment.last_update_time or assessment.create_time or now,
    )
    if len(stored.assessment_id) > 64:
        raise InvalidArgumentError(f"Invalid assessment id {stored.assessment_id!r}")
    return stored, _row(stored)


class SqlAssessments:
    """Create, read, update and delete assessments (part of :class:`SqlTraceStore`)."""

    _db: Database
    _scope: WorkspaceScope

    def create_assessment(self, assessment: Assessment) -> Assessment:
        """Store an assessment; id and times are set if empty; ``overrides`` invalidates."""
        stored, row = prepare_assessment(assessment)

        def op(conn: Connection) -> None:
            require_trace(conn, self._scope, stored.trace_id)
            if stored.overrides:
                _get(conn, self._scope, stored.trace_id, stored.overrides)
                conn.execute(
                    t.assessments.update()
                    .where(t.assessments.c.assessment_id == stored.overrides)
                    .values(valid=False)
                )
            conn.execute(t.assessments.insert(), [row])

        self._db.write(op)
        return stored

    bulk_assessments = True

    def create_assessments(self, assessments: Sequence[Assessment]) -> list[Assessment]:
        """Store many new assessments in one transaction (evaluations log thousands)."""
        if any(a.overrides for a in assessments):
            raise InvalidArgumentError("create_assessments takes no overriding assessment")
        prepared = [prepare_assessment(a) for a in assessments]

        def op(conn: Connection) -> None:
            require_traces(conn, self._scope, [stored.trace_id for stored, _ in prepared])
            execute_rows(conn, _INSERT, [row for _, row in prepared])

        self._db.write(op)
        return [stored for stored, _ in prepared]

    def get_assessment(self, trace_id: str, assessment_id: str) -> Assessment:
        """One assessment; NotFoundError if it is not on that trace."""
        return self._db.read(
            lambda conn: assessment_from_row(_get(conn, self._scope, trace_id, assessment_id))
        )

    def update_assessment(
        self, trace_id: str, assessment_id: str, changes: Mapping[str, Any]
    ) -> Assessment:
        """Change name, value, rationale, metadata (merged), valid or error."""
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise InvalidArgumentError(
                f"Cannot update assessment field(s) {sorted(unknown)}; "
                f"allowed: {sorted(_UPDATABLE)}"
            )
        values: dict[str, Any] = {}
        if "name" in changes:
            name = changes["name"]
            if not isinstance(name, str) or not 0 < len(name) <= 250:
                raise InvalidArgumentError("An assessment needs a name of 1 to 250 characters")
            check_no_nul("name", name)
            values["name"] = name
        if "value" in changes:
            values["value"] = _dumps(changes["value"])
        if "rationale" in changes:
            check_no_nul("rationale", changes["rationale"])
            values["rationale"] = changes["rationale"]
        if "valid" in changes:
            if not isinstance(changes["valid"], bool):
                raise InvalidArgumentError("valid must be a boolean")
            values["valid"] = changes["valid"]
        if "error" in changes:
            error = changes["error"]
            is_instance = dataclasses.is_dataclass(error) and not isinstance(error, type)
            values["error"] = json.dumps(dataclasses.asdict(error)) if is_instance else None
        metadata = _check_metadata(changes["metadata"]) if "metadata" in changes else None
        values["last_update_time"] = now_ms()

        def op(conn: Connection) -> Assessment:
            row = _get(conn, self._scope, trace_id, assessment_id)
            if metadata is not None:
                merged = json.loads(row.metadata or "{}")
                merged.update(metadata)
                values["metadata"] = json.dumps(merged)
            conn.execute(
                t.assessments.update()
                .where(t.assessments.c.assessment_id == assessment_id)
                .values(**values)
            )
            return assessment_from_row(_get(conn, self._scope, trace_id, assessment_id))

        return self._db.write(op)

    def delete_assessment(self, trace_id: str, assessment_id: str) -> None:
        """Delete an assessment; one it overrode becomes valid again."""

        def op(conn: Connection) -> None:
            row = _get(conn, self._scope, trace_id, assessment_id)
            a = t.assessments.c
            conn.execute(t.assessments.delete().where(a.assessment_id == assessment_id))
            if row.overrides:
                conn.execute(
                    t.assessments.update()
                    .where(a.assessment_id == row.overrides)
                    .values(valid=True)
                )

        self._db.write(op)
