"""Judge alignment records in SQL (``judge_alignments``), for :class:`SqlScorerStore`.

The experiment is found in the store's workspace scope first (NotFoundError otherwise); a
``base_version`` or ``new_version`` must be a registered version of the name there. The JSON
fields are stored as text and read back as dicts.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea.entities.scorer import ALIGNMENT_FIELD_MAX_BYTES, JudgeAlignment
from ardea.store.sql._db.engine import Database
from ardea.store.sql.scorers.checks import check_name
from ardea.store.sql.scorers.tables import judge_alignments, scorer_versions, scorers

__all__ = [
    "OPTIMIZER_MAX",
    "AlignmentMethods",
    "check_alignment",
    "get_alignment",
    "insert_alignment",
    "list_alignments",
]

OPTIMIZER_MAX = 64
"""Longest optimizer name (characters)."""

_A = judge_alignments
_FIELDS = ("params", "labels", "before", "after")


def _json(label: str, value: object) -> str:
    if not isinstance(value, dict):
        raise InvalidArgumentError(f"'{label}' must be a JSON object")
    try:
        text = orjson.dumps(value).decode()
    except TypeError as exc:
        raise InvalidArgumentError(f"'{label}' is not JSON: {exc}") from None
    if len(text.encode()) > ALIGNMENT_FIELD_MAX_BYTES:
        raise InvalidArgumentError(
            f"'{label}' is larger than {ALIGNMENT_FIELD_MAX_BYTES} bytes of JSON"
        )
    return text


def _number(value: object, *, whole: bool = False) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) if whole else isinstance(value, (int, float))


def _estimate_ok(e: object) -> bool:
    if not isinstance(e, dict) or not isinstance(e.get("name"), str):
        return False
    if not all(e.get(k) is None or _number(e.get(k)) for k in ("value", "low", "high")):
        return False
    return (
        _number(e.get("confidence"))
        and isinstance(e.get("method"), str)
        and _number(e.get("n"), whole=True)
    )


def _check_agreement(label: str, value: dict[str, Any]) -> None:
    """An ``Agreement.to_dict()`` shape, or {} (nothing measured)."""
    if not value:
        return
    labels, confusion, estimates = (
        value.get("labels"),
        value.get("confusion"),
        value.get("estimates"),
    )
    ok = (
        isinstance(labels, list)
        and all(isinstance(x, str) for x in labels)
        and isinstance(confusion, list)
        and all(isinstance(r, list) and all(_number(c, whole=True) for c in r) for r in confusion)
        and _number(value.get("n"), whole=True)
        and _number(value.get("n_missing"), whole=True)
        and isinstance(estimates, list)
        and all(_estimate_ok(e) for e in estimates)
        and (value.get("positive") is None or isinstance(value.get("positive"), str))
    )
    if not ok:
        raise InvalidArgumentError(
            f"'{label}' must be a judge agreement: labels, confusion, n, n_missing, positive "
            "and estimates of {name, value, low, high, confidence, method, n}"
        )


def _version_number(label: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"'{label}' must be a positive integer, got {value!r}")
    return value


def check_alignment(a: JudgeAlignment) -> dict[str, Any]:
    """The row values of ``a`` (without id, experiment and time), checked.

    Raises:
        InvalidArgumentError: A bad field.
    """
    check_name(a.name)
    if not isinstance(a.optimizer, str) or not a.optimizer.strip():
        raise InvalidArgumentError("'optimizer' must be a non-empty string")
    if len(a.optimizer) > OPTIMIZER_MAX or "\x00" in a.optimizer:
        raise InvalidArgumentError(f"'optimizer' must be at most {OPTIMIZER_MAX} characters")
    if not isinstance(a.promoted, bool):
        raise InvalidArgumentError("'promoted' must be a boolean")
    if not isinstance(a.reason, str) or "\x00" in a.reason or len(a.reason) > 10_000:
        raise InvalidArgumentError("'reason' must be a string of at most 10000 characters")
    if a.promoted and a.new_version is None:
        raise InvalidArgumentError("a promoted alignment names its 'new_version'")
    if not a.promoted and a.new_version is not None:
        raise InvalidArgumentError("a rejected alignment has no 'new_version'")
    row: dict[str, Any] = {
        "name": a.name,
        "optimizer": a.optimizer,
        "base_version": _version_number("base_version", a.base_version),
        "new_version": _version_number("new_version", a.new_version),
        "promoted": a.promoted,
        "reason": a.reason,
    }
    for name in _FIELDS:
        row[f"{name}_json"] = _json(name, getattr(a, name))
    _check_agreement("before", a.before)
    _check_agreement("after", a.after)
    return row


def _has_version(conn: Connection, experiment: int, name: str, version: int) -> bool:
    query = (
        sa.select(sa.literal(1))
        .select_from(
            scorers.join(scorer_versions, scorers.c.scorer_id == scorer_versions.c.scorer_id)
        )
        .where(
            scorers.c.experiment_id == experiment,
            scorers.c.name == name,
            scorer_versions.c.version == version,
        )
    )
    return conn.execute(query).first() is not None


def _entity(row: Any) -> JudgeAlignment:
    return JudgeAlignment(
        alignment_id=row.alignment_id,
        experiment_id=str(row.experiment_id),
        name=row.name,
        optimizer=row.optimizer,
        base_version=None if row.base_version is None else int(row.base_version),
        new_version=None if row.new_version is None else int(row.new_version),
        promoted=bool(row.promoted),
        reason=row.reason,
        creation_time=int(row.creation_time),
        **{name: orjson.loads(getattr(row, f"{name}_json")) for name in _FIELDS},
    )


def insert_alignment(conn: Connection, experiment: int, values: dict[str, Any]) -> JudgeAlignment:
    """Insert checked ``values`` (from :func:`check_alignment`) under the experiment."""
    for label in ("base_version", "new_version"):
        version = values[label]
        if version is not None and not _has_version(conn, experiment, values["name"], version):
            raise NotFoundError(
                f"Scorer '{values['name']}' version {version} not found in experiment "
                f"{experiment} ({label})"
            )
    row = {
        **values,
        "alignment_id": str(uuid.uuid4()),
        "experiment_id": experiment,
        "creation_time": now_ms(),
    }
    conn.execute(_A.insert().values(**row))
    return _entity(_Row(row))


def list_alignments(conn: Connection, experiment: int, name: str | None) -> list[JudgeAlignment]:
    """The runs of ``name`` (every judge's when None), oldest first."""
    query = sa.select(_A).where(_A.c.experiment_id == experiment)
    if name is not None:
        query = query.where(_A.c.name == name)
    query = query.order_by(_A.c.creation_time, _A.c.alignment_id)
    return [_entity(r) for r in conn.execute(query)]


def get_alignment(conn: Connection, experiment: int, alignment_id: str) -> JudgeAlignment:
    """One run (NotFoundError when it is not in the experiment)."""
    row = conn.execute(
        sa.select(_A).where(_A.c.experiment_id == experiment, _A.c.alignment_id == alignment_id)
    ).first()
    if row is None:
        raise NotFoundError(
            f"Alignment {str(alignment_id)[:80]!r} not found in experiment {experiment}"
        )
    return _entity(row)


class AlignmentMethods:
    """The judge alignment records of :class:`SqlScorerStore` (see ``alignments``)."""

    _db: Database

    def _experiment(self, conn: Connection, experiment_id: str) -> int:
        raise NotImplementedError

    def create_judge_alignment(self, alignment: JudgeAlignment) -> JudgeAlignment:
        """Record an alignment run (a new id and time)."""
        values = check_alignment(alignment)

        def op(conn: Connection) -> JudgeAlignment:
            experiment = self._experiment(conn, alignment.experiment_id)
            return insert_alignment(conn, experiment, values)

        return self._db.write(op)

    def list_judge_alignments(
        self, experiment_id: str, name: str | None = None
    ) -> list[JudgeAlignment]:
        """The alignment runs of ``name`` (every judge's when None), oldest first."""

        def op(conn: Connection) -> list[JudgeAlignment]:
            return list_alignments(conn, self._experiment(conn, experiment_id), name)

        return self._db.read(op)

    def get_judge_alignment(self, experiment_id: str, alignment_id: str) -> JudgeAlignment:
        """One alignment run of the experiment."""

        def op(conn: Connection) -> JudgeAlignment:
            return get_alignment(conn, self._experiment(conn, experiment_id), alignment_id)

        return self._db.read(op)


class _Row:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
