"""Shared pieces of the statistics package: values, missing rows, estimates, JSON, tables.

Every result object in :mod:`ardea.evaluation.stats` is a frozen dataclass whose ``to_dict()``
goes through :func:`json_safe` (NaN and infinities become ``None``, tuples become lists) and
whose ``__str__`` is a small fixed-width table built by :func:`format_table`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "DEFAULT_CONFIDENCE",
    "DEFAULT_RESAMPLES",
    "DEFAULT_SEED",
    "Estimate",
    "ValueKind",
    "check_confidence",
    "format_table",
    "infer_kind",
    "is_missing",
    "json_safe",
    "to_binary",
    "to_number",
]

DEFAULT_CONFIDENCE = 0.95
"""Two-sided confidence level of every interval unless a call says otherwise."""
DEFAULT_RESAMPLES = 9999
"""Bootstrap resamples unless a call says otherwise (odd, so percentiles fall on a sample)."""
DEFAULT_SEED = 0
"""Seed of every bootstrap unless a call says otherwise: the same data give the same interval."""

ValueKind = Literal["binary", "numeric", "categorical"]
"""How a scorer's values are treated: pass/fail, a number, or a label."""

_TRUE_WORDS = frozenset({"yes", "true", "pass", "passed"})
_FALSE_WORDS = frozenset({"no", "false", "fail", "failed"})


def is_missing(value: Any) -> bool:
    """True for a value that stands for a failed row: ``None`` or a float NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _binary_word(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def infer_kind(values: Iterable[Any]) -> ValueKind:
    """The kind of a scorer's non-missing values.

    Booleans and MLflow's yes/no ratings (also true/false, pass/fail) are ``binary``; ints and
    floats are ``numeric`` (0/1 numbers stay numeric: pass ``kind="binary"`` to treat them as
    pass/fail); other strings are ``categorical``. Mixed kinds are an error.

    Raises:
        InvalidArgumentError: the values mix kinds, or none is present.
    """
    kinds: set[str] = set()
    for value in values:
        if is_missing(value):
            continue
        if _binary_word(value) is not None:
            kinds.add("binary")
        elif _is_number(value):
            kinds.add("numeric")
        elif isinstance(value, str):
            kinds.add("categorical")
        else:
            raise InvalidArgumentError(
                f"unsupported score value {value!r} ({type(value).__name__})"
            )
    if not kinds:
        raise InvalidArgumentError("no value is present (every row is missing)")
    if kinds == {"binary", "categorical"}:
        return "categorical"
    if len(kinds) > 1:
        raise InvalidArgumentError(f"values mix kinds {sorted(kinds)}; pass kind= explicitly")
    kind = kinds.pop()
    return "binary" if kind == "binary" else "numeric" if kind == "numeric" else "categorical"


def to_binary(value: Any) -> bool:
    """A present value as pass (True) or fail (False): booleans, yes/no words, 0 and 1.

    Raises:
        InvalidArgumentError: the value is not pass/fail.
    """
    word = _binary_word(value)
    if word is not None:
        return word
    if _is_number(value) and value in (0, 1):
        return bool(value)
    raise InvalidArgumentError(f"{value!r} is not a pass/fail value")


def to_number(value: Any) -> float:
    """A present value as a float (booleans and yes/no words count as 1 and 0).

    Raises:
        InvalidArgumentError: the value is not numeric.
    """
    if _is_number(value):
        result = float(value)
        if math.isinf(result):
            raise InvalidArgumentError(f"{value!r} is not a finite number")
        return result
    word = _binary_word(value)
    if word is not None:
        return 1.0 if word else 0.0
    raise InvalidArgumentError(f"{value!r} is not a number")


def check_confidence(confidence: float) -> None:
    """Raise unless ``0 < confidence < 1``."""
    if not 0.0 < confidence < 1.0:
        raise InvalidArgumentError(f"confidence must be in (0, 1), got {confidence!r}")


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON: dataclasses as dicts, tuples as lists, NaN/inf as ``None``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_safe(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "item"):  # a numpy scalar
        return json_safe(value.item())
    return str(value)


def fmt(value: float | None, digits: int = 4) -> str:
    """A number for a table cell: ``-`` when absent, else ``digits`` significant digits."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}g}"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A fixed-width text table (columns padded to their widest cell)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )
    return "\n".join(lines)


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its two-sided confidence interval.

    Attributes:
        name: What is estimated (``"mean"``, ``"pass_rate"``, ``"p90"``, ``"kappa"``, ...).
        value: The estimate; ``None`` when there is no data.
        low: Lower bound of the interval; ``None`` when no interval can be given (n < 2).
        high: Upper bound of the interval.
        confidence: The interval's confidence level.
        method: How the interval was made: ``"bca"``, ``"percentile"``, ``"wilson"``,
            ``"cluster-percentile"``, ``"analytic"``, ``"constant"`` (every value equal, so
            every resample equals the estimate) or ``"none"``.
        n: The number of values behind the estimate.
    """

    name: str
    value: float | None
    low: float | None
    high: float | None
    confidence: float
    method: str
    n: int

    def to_dict(self) -> dict[str, Any]:
        """The estimate as JSON-safe values."""
        return dict(json_safe(self))

    def cells(self) -> list[str]:
        """The estimate as table cells: name, value, interval, method, n."""
        interval = "-" if self.low is None else f"[{fmt(self.low)}, {fmt(self.high)}]"
        return [self.name, fmt(self.value), interval, self.method, str(self.n)]

    def __str__(self) -> str:
        name, value, interval, method, n = self.cells()
        return f"{name} = {value} {interval} ({method}, {self.confidence:.0%}, n={n})"
