"""Fixed windows: where a counter's window starts and ends.

Minutes, hours and days are counted from the Unix epoch (UTC), so a 1-minute window is a
calendar minute and a 5-minute window starts at a multiple of 300 s. Weeks start on Sunday
00:00 UTC (as MLflow's budget windows); months are calendar months (``value`` months counted
from January 1970).
"""

from __future__ import annotations

import datetime as dt

__all__ = ["UNIT_SECONDS", "window"]

UNIT_SECONDS = {"MINUTES": 60, "HOURS": 3600, "DAYS": 86400, "WEEKS": 7 * 86400}
"""Seconds in each fixed-length unit (MLflow's budget duration units but MONTHS)."""

_SUNDAY = -4 * 86400  # 1969-12-28 was a Sunday; the epoch a Thursday


def _month_start(index: int) -> int:
    year, month = divmod(index, 12)
    return int(dt.datetime(1970 + year, month + 1, 1, tzinfo=dt.timezone.utc).timestamp())


def window(now: float, unit: str, value: int) -> tuple[int, int]:
    """The ``(start, end)`` in whole seconds of the window holding ``now``.

    Raises:
        ValueError: An unknown unit or a value below 1.
    """
    if value < 1:
        raise ValueError(f"a window's duration must be at least 1, got {value}")
    if unit == "MONTHS":
        when = dt.datetime.fromtimestamp(now, dt.timezone.utc)
        index = (when.year - 1970) * 12 + when.month - 1
        first = index - index % value
        return _month_start(first), _month_start(first + value)
    if unit not in UNIT_SECONDS:
        raise ValueError(f"unknown window unit {unit!r}")
    length = UNIT_SECONDS[unit] * value
    offset = _SUNDAY if unit == "WEEKS" else 0
    start = int((now - offset) // length) * length + offset
    return start, start + length
