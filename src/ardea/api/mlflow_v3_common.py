"""Helpers shared by the MLflow v3 trace and assessment JSON shapes: time, maps, ids.

Timestamps are RFC 3339 strings (``"2026-11-26T03:38:42.662Z"``) and durations protobuf
Duration strings (``"0.077s"``); Ardea keeps both as integer milliseconds. Pure: no web
framework.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.api.request_parsing import invalid_value

__all__ = [
    "check_trace_id",
    "duration_to_json",
    "opt_str",
    "parse_duration_ms",
    "parse_timestamp_ms",
    "str_map",
    "timestamp_to_json",
]

_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})?"
)
_DURATION = re.compile(r"(-?\d+)(?:\.(\d{1,9}))?s")


# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------


def timestamp_to_json(ms: int) -> str:
    """Epoch milliseconds as an RFC 3339 UTC string with millisecond precision."""
    dt = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_timestamp_ms(value: Any, what: str) -> int:
    """An RFC 3339 string (or epoch-ms number) as epoch milliseconds."""
    if isinstance(value, bool):
        raise InvalidArgumentError(f"Invalid timestamp for {what!r}: {value!r}.")
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, dict):  # {"seconds": .., "nanos": ..}
        return int(value.get("seconds", 0)) * 1000 + int(value.get("nanos", 0)) // 1_000_000
    m = _RFC3339.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        raise InvalidArgumentError(f"Invalid RFC 3339 timestamp for {what!r}: {value!r}.")
    date, clock, frac, zone = m.groups()
    tz = "+00:00" if zone in (None, "Z", "z") else zone
    try:
        dt = datetime.fromisoformat(f"{date}T{clock}{tz}")
    except ValueError:
        raise InvalidArgumentError(f"Invalid timestamp for {what!r}: {value!r}.") from None
    return int(dt.timestamp()) * 1000 + int((frac or "0").ljust(9, "0")[:3])


def duration_to_json(ms: int) -> str:
    """Milliseconds as a protobuf Duration JSON string (``"0.077s"``)."""
    return f"{ms // 1000}.{ms % 1000:03d}s"


def parse_duration_ms(value: Any, what: str) -> int:
    """A Duration string (``"0.077s"``) or a number of milliseconds as milliseconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    m = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        raise InvalidArgumentError(f"Invalid duration for {what!r}: {value!r}.")
    seconds, frac = m.groups()
    return int(seconds) * 1000 + int((frac or "0").ljust(9, "0")[:3])


def str_map(value: Any, what: str) -> dict[str, str]:
    """``value`` as a string map (a JSON object, or a list of ``{key, value}``)."""
    if value is None:
        return {}
    if isinstance(value, list):  # [{key, value}] (v2 style)
        if not all(isinstance(kv, dict) for kv in value):
            raise InvalidArgumentError(f"{what!r} must be a map of strings.")
        value = {kv.get("key"): kv.get("value") for kv in value}
    if not isinstance(value, dict):
        raise InvalidArgumentError(f"{what!r} must be a map of strings.")
    out: dict[str, str] = {}
    for k, v in value.items():
        if not isinstance(k, str) or not k or not isinstance(v, (str, type(None))):
            raise InvalidArgumentError(f"{what!r} must map string keys to string values.")
        out[k] = v or ""
    return out


def opt_str(d: Mapping[str, Any], key: str) -> str | None:
    """``d[key]`` if it is a string, None if absent; InvalidArgumentError otherwise."""
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_value(key, value)
    return value


def check_trace_id(trace_id: Any) -> str:
    """``trace_id`` if it looks like an Ardea/MLflow trace id, else InvalidArgumentError."""
    if not isinstance(trace_id, str) or not trace_id or len(trace_id) > 256:
        raise InvalidArgumentError(f"Invalid trace id {trace_id!r}.")
    return trace_id
