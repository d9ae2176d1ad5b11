"""Checks of issue fields (MLflow's limits) and the row <-> :class:`Issue` mapping."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from ardea._core.errors import InvalidArgumentError
from ardea.entities.issue import Issue, IssueSeverity, IssueStatus

__all__ = [
    "check_list",
    "check_metadata",
    "check_severity",
    "check_status",
    "check_timestamp",
    "dump",
    "experiment_number",
    "issue_of",
    "page_offset",
    "page_token",
    "parse_filter",
]

_STATUSES = frozenset(s.value for s in IssueStatus)
_SEVERITIES = frozenset(s.value for s in IssueSeverity)


def experiment_number(experiment_id: object) -> int:
    """An experiment id as the integer its rows use (InvalidArgumentError otherwise)."""
    text = str(experiment_id) if experiment_id is not None else ""
    if not text.isdigit() or len(text) > 10:
        raise InvalidArgumentError(f"Invalid experiment id {text[:80]!r}")
    return int(text)


def check_status(value: str | None) -> str | None:
    """``value`` if it is an issue status (or None)."""
    if value is not None and value not in _STATUSES:
        raise InvalidArgumentError(f"Invalid issue status: {value!r}")
    return value


def check_severity(value: str | None) -> str | None:
    """``value`` if it is an issue severity (or None)."""
    if value is not None and value not in _SEVERITIES:
        raise InvalidArgumentError(f"Invalid issue severity: {value!r}")
    return value


def check_timestamp(value: int | None) -> int | None:
    """``value`` if it is nonnegative milliseconds (or None)."""
    if value is not None and (type(value) is not int or not 0 <= value < 2**63):
        raise InvalidArgumentError("last_seen_timestamp must be nonnegative milliseconds")
    return value


def check_list(field: str, values: Sequence[str] | None) -> list[str]:
    """At most 100 strings of 1 to 250 characters."""
    out = list(values or [])
    if len(out) > 100 or any(not isinstance(v, str) or not 1 <= len(v) <= 250 for v in out):
        raise InvalidArgumentError(
            f"{field} must contain at most 100 nonempty strings of at most 250 characters"
        )
    return out


def check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """A string map of at most 100 entries (keys 1-250 characters, values up to 64 KiB)."""
    out = dict(metadata or {})
    if len(out) > 100 or any(
        not isinstance(k, str)
        or not 1 <= len(k) <= 250
        or not isinstance(v, str)
        or len(v) > 65536
        or "\x00" in k + v
        for k, v in out.items()
    ):
        raise InvalidArgumentError("metadata must be a string map with at most 100 entries")
    return out


def dump(value: Any) -> str:
    """JSON text of a list or map column."""
    return orjson.dumps(value).decode()


def _load(text: str | None, empty: Any) -> Any:
    return orjson.loads(text) if text else empty


def issue_of(row: Any, trace_count: int | None = None, *, basic: bool = False) -> Issue:
    """The :class:`Issue` of an ``issues`` row (``basic``: no description, causes, metadata)."""
    return Issue(
        issue_id=row.issue_id,
        experiment_id=str(row.experiment_id),
        name=row.name,
        description="" if basic else row.description,
        status=row.status,
        created_timestamp=int(row.created_timestamp),
        last_updated_timestamp=int(row.last_updated_timestamp),
        severity=row.severity,
        root_causes=[] if basic else list(_load(row.root_causes, [])),
        source_run_id=row.source_run_id,
        categories=list(_load(row.categories, [])),
        created_by=row.created_by,
        trace_count=trace_count,
        last_seen_timestamp=int(row.last_seen_timestamp),
        last_updated_by=row.last_updated_by,
        metadata={} if basic else dict(_load(row.metadata, {})),
    )


def _fingerprint(query: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(query, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def page_token(offset: int, query: Mapping[str, Any]) -> str:
    """The token of the page at ``offset`` of ``query``."""
    doc = {"offset": offset, "query": _fingerprint(query)}
    return base64.b64encode(orjson.dumps(doc)).decode()


def page_offset(token: str | None, query: Mapping[str, Any]) -> int:
    """The offset a token names; InvalidArgumentError for a bad token or another query's."""
    if not token:
        return 0
    try:
        doc = orjson.loads(base64.b64decode(token, validate=True))
        offset = doc["offset"]
        if doc.get("query") != _fingerprint(query) or type(offset) is not int or offset < 0:
            raise ValueError
        return int(offset)
    except (ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        raise InvalidArgumentError(
            "Invalid page token or token does not match the issue query"
        ) from None


_CLAUSE = re.compile(r"\s*(status|source_run_id)\s*(=|!=)\s*'([^']*)'\s*", re.IGNORECASE)
_AND = re.compile(r"\s+AND\s+", re.IGNORECASE)


def parse_filter(text: str | None) -> list[tuple[str, str, str]]:
    """MLflow's issue filter: ``(field, comparator, value)`` per clause, joined by AND.

    Raises:
        InvalidArgumentError: Anything but ``status``/``source_run_id`` ``=``/``!=`` a quoted
            string.
    """
    if not text or not text.strip():
        return []
    out: list[tuple[str, str, str]] = []
    for part in _AND.split(text.strip()):
        match = _CLAUSE.fullmatch(part)
        if match is None:
            raise InvalidArgumentError(
                f"Invalid issue filter clause {part!r}: use status or source_run_id, "
                "= or !=, and a quoted value, joined by AND"
            )
        out.append((match.group(1).lower(), match.group(2), match.group(3)))
    return out
