"""The file formats of batch scoring: CSV, JSON Lines and Parquet read in chunks, and written.

Readers yield pandas DataFrames of at most ``batch_size`` rows, so a file larger than memory
is scored chunk by chunk. Writers append chunks to one output (Parquet keeps the schema of
the first chunk; a later chunk must cast to it). ``json`` is MLflow's scoring payload
(``dataframe_split``, ``dataframe_records``, ``instances`` or ``inputs``), read whole, and
MLflow's ``{"predictions": [...]}`` answer, written incrementally.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ardea._core.errors import InvalidArgumentError

__all__ = ["EXTENSIONS", "FORMATS", "JsonWriter", "TableWriter", "format_of", "read_chunks"]

FORMATS = ("csv", "json", "jsonl", "parquet")
"""The formats of ``--content-type``."""

EXTENSIONS = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
"""File name suffix (lower-cased) -> format."""


def format_of(path: str | Path) -> str | None:
    """The format a file name's suffix names, or None."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def count_rows(path: Path, fmt: str) -> int | None:
    """The number of records in the file, when cheap to know (Parquet metadata, line counts)."""
    if fmt == "parquet":
        return int(_parquet().ParquetFile(path).metadata.num_rows)
    if fmt in ("csv", "jsonl"):
        lines = 0
        last = b"\n"
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                lines += block.count(b"\n")
                last = block[-1:]
        lines += last != b"\n"  # a last line without its newline
        return max(lines - (fmt == "csv"), 0)  # quoted newlines in CSV make this an estimate
    return None


def _parquet() -> Any:
    """``pyarrow.parquet`` (untyped: its stubs are partial)."""
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise InvalidArgumentError(f"Parquet needs pyarrow (pip install pyarrow): {exc}") from None
    return pq


def _parquet_chunks(source: Path | IO[bytes], batch_size: int) -> Iterator[Any]:
    import pyarrow as pa

    pq = _parquet()
    try:
        reader = pq.ParquetFile(source)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidArgumentError(f"The input is not a readable Parquet file: {exc}") from None
    for batch in reader.iter_batches(batch_size=batch_size):
        yield batch.to_pandas()


def _json_frame(source: Path | IO[bytes], signature: Any) -> Any:
    from ardea.models.serving._formats import parse_json

    body = source.read_bytes() if isinstance(source, Path) else source.read()
    return parse_json(body, signature).data


def read_chunks(
    source: Path | IO[bytes], fmt: str, batch_size: int, signature: Any = None
) -> Iterator[Any]:
    """Yield the input as DataFrames of at most ``batch_size`` rows (``json``: as parsed).

    Raises:
        InvalidArgumentError: the file does not parse as ``fmt`` (the message says where).
    """
    import pandas as pd

    if fmt == "parquet":
        yield from _parquet_chunks(source, batch_size)
        return
    if fmt == "json":
        data = _json_frame(source, signature)
        if isinstance(data, pd.DataFrame):
            for start in range(0, len(data), batch_size):
                yield data.iloc[start : start + batch_size].reset_index(drop=True)
        else:
            yield data
        return
    try:
        if fmt == "csv":
            reader: Any = pd.read_csv(source, chunksize=batch_size)
        else:
            reader = pd.read_json(
                source,
                lines=True,
                chunksize=batch_size,
                convert_dates=False,
                dtype=False,
                precise_float=True,  # the default parser rounds the last digits
            )
        with reader:
            yield from reader
    except OSError as exc:
        raise InvalidArgumentError(f"Cannot read the input: {exc.strerror or exc}.") from None
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        what = "CSV (a header row, then one row per record)" if fmt == "csv" else "JSON Lines"
        raise InvalidArgumentError(f"The input is not valid {what}: {exc}") from None


def _json_lines(frame: Any) -> bytes:
    """Rows as JSON Lines, floats at full precision (pandas' ``to_json`` rounds them)."""
    import orjson

    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE
    return b"".join(
        orjson.dumps(row, option=option, default=_default)
        for row in frame.to_dict(orient="records")
    )


def _default(value: Any) -> Any:
    """A value orjson cannot write, as the scoring server writes it (else its ``str``)."""
    import json

    from ardea.models.serving._formats import to_json

    try:
        return json.loads(to_json(value))
    except (TypeError, ValueError):
        return str(value)


def _json_items(values: list[Any]) -> bytes:
    """``values`` as JSON without the list's brackets (NaN becomes null)."""
    import orjson

    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(values, option=option, default=_default)[1:-1]


class TableWriter:
    """Appends DataFrame chunks to an open CSV, JSON Lines or Parquet output."""

    def __init__(self, handle: IO[bytes], fmt: str) -> None:
        self._file = handle
        self._fmt = fmt
        self._parquet: Any = None
        self._rows = 0

    def write(self, frame: Any) -> None:
        """Append one chunk."""
        if self._fmt == "parquet":
            self._write_parquet(frame)
        elif self._fmt == "csv":
            self._write_csv(frame)
        else:
            self._file.write(_json_lines(frame))
        self._rows += len(frame)

    def _write_csv(self, frame: Any) -> None:
        """Arrow's CSV writer (about 10x pandas'); pandas' for columns Arrow cannot type."""
        import pyarrow as pa

        header = self._rows == 0
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowException, ValueError, TypeError):
            self._file.write(frame.to_csv(index=False, header=header).encode("utf-8"))
            return
        csv: Any = importlib.import_module("pyarrow.csv")
        options = csv.WriteOptions(include_header=header, quoting_style="needed")
        csv.write_csv(table, self._file, write_options=options)

    def _write_parquet(self, frame: Any) -> None:
        import pyarrow as pa

        pq = _parquet()
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._file, table.schema)
        elif table.schema != self._parquet.schema:
            try:
                table = table.cast(self._parquet.schema)
            except (pa.ArrowException, ValueError) as exc:
                raise InvalidArgumentError(
                    f"Rows {self._rows + 1}-{self._rows + len(frame)} do not fit the Parquet "
                    f"schema of the first rows ({exc}): make the column types consistent."
                ) from None
        self._parquet.write_table(table)

    def close(self) -> None:
        """Finish the output (Parquet's footer); the handle stays open."""
        if self._parquet is not None:
            self._parquet.close()
        self._file.flush()


class JsonWriter:
    """Writes MLflow's ``{"predictions": [...]}`` one chunk of predictions at a time."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._file = handle
        self._first = True

    def write(self, predictions: list[Any]) -> None:
        """Append the JSON-ready predictions of one chunk (nothing is written before)."""
        if not predictions:
            return
        prefix = b'{"predictions": [' if self._first else b", "
        self._file.write(prefix + _json_items(predictions))
        self._first = False

    def close(self) -> None:
        """Close the list and the object; the handle stays open."""
        self._file.write(b'{"predictions": []}\n' if self._first else b"]}\n")
        self._file.flush()
