"""Window alignment: epoch-aligned minutes/hours/days, Sunday weeks, calendar months."""

from __future__ import annotations

import datetime as dt

import pytest

from ardea.gateway.limits.windows import window


def _ts(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.timezone.utc).timestamp()


def test_fixed_units() -> None:
    now = _ts(2027, 1, 13, 10, 37, 12)  # a Wednesday
    assert window(now, "MINUTES", 1) == (
        int(_ts(2027, 1, 13, 10, 37)),
        int(_ts(2027, 1, 13, 10, 38)),
    )
    assert window(now, "MINUTES", 5)[0] == int(_ts(2027, 1, 13, 10, 35))
    assert window(now, "HOURS", 1) == (int(_ts(2027, 1, 13, 10)), int(_ts(2027, 1, 13, 11)))
    assert window(now, "DAYS", 1) == (int(_ts(2027, 1, 13)), int(_ts(2027, 1, 14)))
    assert window(now, "WEEKS", 1) == (int(_ts(2027, 1, 10)), int(_ts(2027, 1, 17)))  # Sundays


def test_months() -> None:
    assert window(_ts(2027, 2, 20, 5), "MONTHS", 1) == (int(_ts(2027, 2, 1)), int(_ts(2027, 3, 1)))
    assert window(_ts(2027, 5, 2), "MONTHS", 3) == (int(_ts(2027, 4, 1)), int(_ts(2027, 7, 1)))
    assert window(_ts(2027, 12, 31), "MONTHS", 1)[1] == int(_ts(2028, 1, 1))


def test_bad_windows() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        window(0, "DAYS", 0)
    with pytest.raises(ValueError, match="unknown window unit"):
        window(0, "FORTNIGHTS", 1)
