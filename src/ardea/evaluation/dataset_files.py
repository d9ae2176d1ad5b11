"""Records from files: CSV, JSON Lines and Parquet, as the dicts ``merge_records`` takes.

Columns ``inputs``, ``expectations``, ``outputs``, ``tags`` and ``source`` hold a record's
fields: in JSON Lines and Parquet as objects; in CSV as JSON text (a cell that is not JSON
is kept as a string). A file without an ``inputs`` column takes every other column as an
input, except those named with an ``expectations.`` (or ``expected_``) prefix, which become
expectations: ``question,expected_answer`` gives ``{"inputs": {"question": ...},
"expectations": {"answer": ...}}``. Parquet needs ``pyarrow`` (or ``fastparquet``), through
pandas.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = ["FORMATS", "read_records", "record_from_row"]

FORMATS = ("csv", "jsonl", "parquet")
"""The file formats :func:`read_records` reads (from the suffix unless given)."""
_FIELDS = ("inputs", "expectations", "outputs", "tags", "source")
_EXPECTED = ("expectations.", "expected_")


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("{", "[") or text in ("true", "false", "null"):
            try:
                return json.loads(text)
            except ValueError:
                return value
    return value


def record_from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """One record from one row (see the module docstring)."""
    row = {str(k): _cell(v) for k, v in row.items()}
    if "inputs" in row:
        return {k: row[k] for k in _FIELDS if k in row and row[k] is not None}
    inputs: dict[str, Any] = {}
    expectations: dict[str, Any] = {}
    for key, value in row.items():
        prefix = next((p for p in _EXPECTED if key.startswith(p)), None)
        if prefix is not None:
            expectations[key[len(prefix) :]] = value
        elif key not in _FIELDS:
            inputs[key] = value
    record: dict[str, Any] = {"inputs": inputs}
    if expectations:
        record["expectations"] = expectations
    for key in ("outputs", "tags", "source"):
        if row.get(key) is not None:
            record[key] = row[key]
    return record


def _format(path: Path, fmt: str | None) -> str:
    found = (fmt or path.suffix.lstrip(".")).lower()
    found = {"json": "jsonl", "ndjson": "jsonl", "pq": "parquet", "tsv": "csv"}.get(found, found)
    if found not in FORMATS:
        raise InvalidArgumentError(
            f"Cannot read records from {path.name!r}: give format= one of {list(FORMATS)}"
        )
    return found


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise InvalidArgumentError(
                    f"{path.name}, line {number}: not JSON ({exc})"
                ) from None
            if not isinstance(row, dict):
                raise InvalidArgumentError(f"{path.name}, line {number}: not a JSON object")
            yield record_from_row(row)


def _csv(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as f:
        dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
        for row in csv.DictReader(f, dialect=dialect):
            yield record_from_row(row)


def _parquet(path: Path) -> Iterator[dict[str, Any]]:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - pandas is there wherever Parquet is
        raise InvalidArgumentError("Reading Parquet needs pandas and pyarrow") from exc
    try:
        frame = pd.read_parquet(path)
    except ImportError as exc:
        raise InvalidArgumentError(f"Reading Parquet needs pyarrow: {exc}") from None
    for row in frame.to_dict("records"):
        yield record_from_row(_plain(row))


def _plain(value: Any) -> Any:
    """Parquet's numpy arrays and scalars as plain Python (lists, ints, floats)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return _plain(tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def read_records(path: str | Path, format: str | None = None) -> Iterator[dict[str, Any]]:
    """The records of a CSV, JSON Lines or Parquet file, one dict per row (lazily).

    Raises:
        InvalidArgumentError: Unknown format, a JSON Lines line that is not an object.
    """
    file = Path(path)
    kind = _format(file, format)
    if kind == "jsonl":
        return _jsonl(file)
    if kind == "csv":
        return _csv(file)
    return _parquet(file)
