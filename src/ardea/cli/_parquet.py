"""Helpers of ``ardea traces export --out`` and ``ardea traces query``: times, progress."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import click

from ardea._core.errors import InvalidArgumentError
from ardea.tracing.parquet.export import ExportStats


def iso_ms(text: str | None, option: str) -> int | None:
    """An ISO 8601 time (``2026-12-07``, ``2026-12-07T10:00:00Z``, ...) as epoch milliseconds.

    A time without an offset is UTC.

    Raises:
        InvalidArgumentError: Not an ISO time.
    """
    if text is None:
        return None
    raw = text.strip()
    try:
        when = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
    except ValueError:
        raise InvalidArgumentError(
            f"{option}: {text!r} is not an ISO time (e.g. 2026-12-07 or 2026-12-07T10:00:00Z)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp() * 1000)


def export_progress(every: float = 1.0) -> Callable[[ExportStats], None]:
    """A progress callback printing count, rate and ETA to stderr, at most once per ``every`` s."""
    last = [0.0]

    def show(stats: ExportStats) -> None:
        now = time.monotonic()
        if now - last[0] < every and not stats.files:
            return
        last[0] = now
        total = "" if stats.total is None else f"/{stats.total}"
        rate = stats.traces / stats.elapsed if stats.elapsed > 0 else 0.0
        eta = "" if stats.eta is None else f", ETA {stats.eta:.0f}s"
        click.echo(
            f"exported {stats.traces}{total} traces, {stats.spans} spans "
            f"({rate:.0f} traces/s{eta})",
            err=True,
        )

    return show


def plain_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Query rows with their decimals as ints or floats, so that JSON shows numbers.

    DuckDB's ``sum`` of integers is a 128-bit integer, which Arrow gives Python as a ``Decimal``.
    """

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value

    return [{k: plain(v) for k, v in row.items()} for row in rows]
