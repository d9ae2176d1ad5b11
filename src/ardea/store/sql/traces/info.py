"""Trace records (TraceInfo) as ``traces`` rows: validation and the columns they set."""

from __future__ import annotations

from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import TraceInfo, TraceState
from ardea.store.sql.traces.ingest import TRACE_NAME_TAG, preview
from ardea.store.validation import check_no_nul

__all__ = ["ARTIFACT_LOCATION_TAG", "SOURCE_RUN_KEY", "check_info", "check_key_value", "trace_row"]

ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation"
SOURCE_RUN_KEY = "mlflow.sourceRun"
_SESSION_KEY = "mlflow.trace.session"
_USER_KEY = "mlflow.trace.user"
_STATES = frozenset(s.value for s in TraceState)


def check_key_value(key: object, value: object, what: str, max_value: int) -> None:
    """Check a tag or metadata entry: key 1..250 characters, value a string <= max_value."""
    if not isinstance(key, str) or not 0 < len(key) <= 250:
        raise InvalidArgumentError(f"Invalid {what} key {key!r}: 1 to 250 characters")
    if not isinstance(value, str) or len(value) > max_value:
        raise InvalidArgumentError(
            f"Invalid {what} value for {key!r}: a string of at most {max_value}"
        )
    if "\x00" in key or "\x00" in value:
        raise InvalidArgumentError(f"Invalid {what} {key!r}: NUL characters are not allowed")


def trace_row(info: TraceInfo, experiment_id: int) -> dict[str, Any]:
    """The trace columns a TraceInfo sets (everything but span aggregates)."""
    meta = info.trace_metadata
    duration = info.execution_duration
    return {
        "trace_id": info.trace_id,
        "experiment_id": experiment_id,
        "request_time": info.request_time,
        "execution_duration": duration,
        "end_time": None if duration is None else info.request_time + duration,
        "state": info.state,
        "name": (info.name or info.tags.get(TRACE_NAME_TAG) or None),
        "session_id": info.session_id or meta.get(_SESSION_KEY),
        "user_id": info.user_id or meta.get(_USER_KEY),
        "run_id": info.run_id or meta.get(SOURCE_RUN_KEY),
        "client_request_id": info.client_request_id,
        "request_preview": preview(info.request_preview),
        "response_preview": preview(info.response_preview),
    }


def check_info(info: TraceInfo) -> None:
    """Check a TraceInfo before it is stored (InvalidArgumentError when malformed)."""
    if not isinstance(info.trace_id, str) or not 0 < len(info.trace_id) <= 64:
        raise InvalidArgumentError(f"Invalid trace id {info.trace_id!r}")
    # Identifiers: a NUL is refused (PostgreSQL cannot hold one). The previews are copies of
    # span content, which is stored with NUL as U+FFFD (ingest.clean_text), and so are they.
    for name in ("trace_id", "client_request_id", "name", "session_id", "user_id", "run_id"):
        check_no_nul(name, getattr(info, name))
    if isinstance(info.request_time, bool) or not isinstance(info.request_time, int):
        raise InvalidArgumentError(f"Invalid request_time {info.request_time!r}")
    duration = info.execution_duration
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int)):
        raise InvalidArgumentError(f"Invalid execution_duration {duration!r}")
    if info.state not in _STATES:
        raise InvalidArgumentError(f"Invalid trace state {info.state!r}")
    for key, value in info.tags.items():
        check_key_value(key, value, "tag", 8000)
    for key, value in info.trace_metadata.items():
        check_key_value(key, value, "metadata", 8000)
