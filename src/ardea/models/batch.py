"""Batch scoring: a model over a CSV, JSON Lines, Parquet or JSON file, chunk by chunk.

:func:`predict_file` is what ``ardea models predict`` runs::

    from ardea.models.batch import predict_file

    result = predict_file("my-model", "input.parquet", "scored.parquet")
    print(result.rows, result.seconds)

The input is read ``batch_size`` rows at a time; each chunk is checked against the model's
signature and predicted, and the output gets the input's columns plus the predictions: one
``predictions`` column, ``predictions_0``, ``predictions_1``... for 2-D outputs, or the
columns of a DataFrame output (prefixed with ``predictions_`` where an input column has that
name). When the signature names its columns, only those columns (in its order) go to the
model; the others (ids, labels) pass through to the output. A ``.json`` output (and stdout)
is MLflow's ``{"predictions": [...]}``. The output is written to a temporary file beside
the target and renamed at the end, so a failure leaves no half-written output.
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ardea._core.errors import InvalidArgumentError
from ardea._core.progress import MIN_BYTES, count_progress, progress_enabled
from ardea.models._batch_io import FORMATS, JsonWriter, TableWriter, count_rows, format_of
from ardea.models._batch_io import read_chunks as _read_chunks
from ardea.models._pyfunc_model import PyFuncModel
from ardea.models._signature import select_columns

__all__ = ["DEFAULT_BATCH_SIZE", "FORMATS", "BatchResult", "predict_file", "predictions_frame"]

DEFAULT_BATCH_SIZE = 10_000
"""Rows per model call unless ``batch_size`` says otherwise."""


@dataclass(frozen=True)
class BatchResult:
    """What a batch scoring run did.

    Attributes:
        rows: Input rows scored.
        seconds: Wall time, model loading excluded.
        output_format: The format written (``csv``, ``json``, ``jsonl`` or ``parquet``).
    """

    rows: int
    seconds: float
    output_format: str

    @property
    def rows_per_second(self) -> float:
        """Throughput of the run."""
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def predictions_frame(predictions: Any, rows: int, taken: set[str] | None = None) -> Any:
    """Predictions as a DataFrame of ``rows`` rows (see the module docstring for the names).

    Raises:
        InvalidArgumentError: the model returned a different number of predictions, or
            something that is not a column of values.
    """
    import numpy as np
    import pandas as pd

    taken = taken or set()
    if isinstance(predictions, dict):
        predictions = pd.DataFrame(predictions)
    elif isinstance(predictions, list) and predictions and isinstance(predictions[0], dict):
        predictions = pd.DataFrame.from_records(predictions)
    if isinstance(predictions, pd.Series):
        frame = pd.DataFrame({"predictions": predictions.to_numpy()})
    elif isinstance(predictions, pd.DataFrame):
        if len(predictions.columns) == 1:
            frame = pd.DataFrame({"predictions": predictions.iloc[:, 0].to_numpy()})
        else:
            names = [str(c) for c in predictions.columns]
            names = [f"predictions_{n}" if n in taken else n for n in names]
            frame = pd.DataFrame(predictions.to_numpy(), columns=names)
            frame = frame.astype(dict(zip(names, predictions.dtypes, strict=True)))
    else:
        try:
            array = np.asarray(predictions)
        except ValueError:
            array = np.asarray(predictions, dtype=object)
        if array.ndim == 1:
            frame = pd.DataFrame({"predictions": array})
        elif array.ndim == 2:
            frame = pd.DataFrame({f"predictions_{i}": array[:, i] for i in range(array.shape[1])})
        else:
            raise InvalidArgumentError(
                f"The model returned {array.ndim}-D predictions (shape {list(array.shape)}); "
                "batch files hold 1-D or 2-D predictions (write JSON for others)."
            )
    clash = sorted(set(map(str, frame.columns)) & taken)
    if clash:
        raise InvalidArgumentError(
            f"The input already has a column named {clash[0]!r}: rename it, the predictions "
            "go there."
        )
    if len(frame) != rows:
        raise InvalidArgumentError(f"The model returned {len(frame)} predictions for {rows} rows.")
    return frame


def _predict(model: PyFuncModel, chunk: Any, start: int) -> Any:
    try:
        return model.predict(select_columns(model.signature, chunk))
    except InvalidArgumentError as exc:
        exact = _first_bad_number(model, chunk, start)
        raise InvalidArgumentError(exact or f"{_rows(start, chunk)}: {exc.message}") from None
    except (ValueError, TypeError, KeyError) as exc:  # the model refused the input
        raise InvalidArgumentError(
            f"{_rows(start, chunk)}: the model failed on them: {type(exc).__name__}: {exc}"
        ) from None


_NUMERIC = ("double", "float", "long", "integer")


def _first_bad_number(model: PyFuncModel, chunk: Any, start: int) -> str | None:
    """The exact row of a numeric column's first non-number, when the chunk read it as text.

    A CSV column with one bad value is read as text for its whole chunk, so the signature
    check names the chunk's first value; this names the culprit instead.
    """
    import pandas as pd

    if model.signature is None or not isinstance(chunk, pd.DataFrame):
        return None
    for spec in model.signature.inputs:
        name = spec.get("name")
        if spec["type"] not in _NUMERIC or name not in chunk.columns:
            continue
        column = chunk[name]
        if column.dtype.kind in "iufb":
            continue
        bad = pd.to_numeric(column, errors="coerce").isna() & column.notna()
        if bad.any():
            at = int(bad.to_numpy().argmax())
            return (
                f"Row {start + at + 1}: column {name!r} holds {column.iloc[at]!r}, "
                f"not a {spec['type']}."
            )
    return None


def _rows(start: int, chunk: Any) -> str:
    size = len(chunk) if hasattr(chunk, "__len__") else 1
    return f"Row {start + 1}" if size == 1 else f"Rows {start + 1}-{start + size}"


def _open_output(target: Path | None) -> tuple[Path | None, IO[bytes]]:
    if target is None:
        return None, sys.stdout.buffer
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return tmp, open(tmp, "xb")  # the umask's permissions, unlike mkstemp's 0600
    except OSError as exc:
        raise InvalidArgumentError(f"Cannot write {str(target)!r}: {exc.strerror}.") from None


def _input_format(path: Path | None, content_type: str | None) -> str:
    if content_type is not None:
        if content_type not in FORMATS:
            raise InvalidArgumentError(
                f"Unknown content type {content_type!r}; use one of {', '.join(FORMATS)}."
            )
        return content_type
    if path is None:
        return "json"  # stdin, as mlflow models predict
    fmt = format_of(path)
    if fmt is None:
        raise InvalidArgumentError(
            f"Cannot tell the format of {path.name!r} from its extension: name it .csv, "
            ".json, .jsonl or .parquet, or pass --content-type."
        )
    return fmt


def predict_file(
    model: str | PyFuncModel,
    input_path: str | Path | None,
    output_path: str | Path | None = None,
    *,
    content_type: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    allow_pickle: bool | None = None,
    progress: bool | None = None,
) -> BatchResult:
    """Score a file with a model and write the predictions (see the module docstring).

    Args:
        model: A loaded model or a model URI (path, ``runs:/``, ``models:/``...).
        input_path: The input file; None reads stdin (not Parquet).
        output_path: The output file, its format from its suffix (``.csv``, ``.jsonl``,
            ``.parquet``; anything else is JSON, as MLflow writes). None writes JSON to
            stdout.
        content_type: The input's format (``csv``, ``json``, ``jsonl``, ``parquet``); by
            default the input's suffix says.
        batch_size: Rows per model call.
        allow_pickle: Load an untrusted pickled model (see ``ARDEA_ALLOW_PICKLE``).
        progress: Show rows done, the total and rows/s on stderr; None shows it on a terminal.

    Raises:
        InvalidArgumentError: an unknown format, an unreadable input, or rows the model or
            its signature refuse (the message names the rows).
    """
    if batch_size < 1:
        raise InvalidArgumentError("batch_size must be at least 1.")
    source = Path(input_path) if input_path is not None else None
    fmt = _input_format(source, content_type)
    if source is not None and not source.is_file():
        raise InvalidArgumentError(f"The input file {str(source)!r} does not exist.")
    if source is None and fmt == "parquet":
        raise InvalidArgumentError("Parquet input must be a file (-i), not stdin.")
    target = Path(output_path) if output_path is not None else None
    out_fmt = (format_of(target) or "json") if target is not None else "json"
    if isinstance(model, str):
        from ardea.models.pyfunc import load_model

        model = load_model(model, allow_pickle=allow_pickle)
    show = progress_enabled(MIN_BYTES) if progress is None else progress
    total = count_rows(source, fmt) if source is not None and show else None
    tmp, handle = _open_output(target)
    writer: TableWriter | JsonWriter = (
        JsonWriter(handle) if out_fmt == "json" else TableWriter(handle, out_fmt)
    )
    began = time.perf_counter()
    done = 0
    try:
        chunks = _read_chunks(source or sys.stdin.buffer, fmt, batch_size, model.signature)
        with count_progress("predict", total, "row", force=show) as advance:
            for chunk in chunks:
                rows = _score(model, chunk, done, writer)
                done += rows
                advance(rows)
        writer.close()
        if tmp is not None:
            handle.close()
    except BaseException:
        if tmp is not None:
            handle.close()
            tmp.unlink(missing_ok=True)
        raise
    if tmp is not None and target is not None:
        os.replace(tmp, target)
    return BatchResult(rows=done, seconds=time.perf_counter() - began, output_format=out_fmt)


def _score(model: PyFuncModel, chunk: Any, start: int, writer: TableWriter | JsonWriter) -> int:
    """Predict one chunk and write it; returns its number of rows."""
    import pandas as pd

    predictions = _predict(model, chunk, start)
    if isinstance(writer, JsonWriter):
        from ardea.models.serving._formats import to_jsonable

        values = to_jsonable(predictions)
        writer.write(values if isinstance(values, list) else [values])
        return len(chunk) if hasattr(chunk, "__len__") else 1
    if not isinstance(chunk, pd.DataFrame):
        raise InvalidArgumentError(
            "This JSON input is not a table (a tensor or a list): write the predictions to "
            "a .json output (or stdout)."
        )
    try:
        frame = predictions_frame(predictions, len(chunk), {str(c) for c in chunk.columns})
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(f"{_rows(start, chunk)}: {exc.message}") from None
    frame.index = chunk.index
    writer.write(pd.concat([chunk, frame], axis=1))
    return len(chunk)
