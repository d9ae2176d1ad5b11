"""MLflow's scoring protocol: request bodies to model input, predictions to JSON.

JSON bodies carry exactly one of ``dataframe_split``, ``dataframe_records``, ``instances``
or ``inputs`` (plus optional ``params``); an unwrapped chat, completions or embeddings body
(``messages``, ``prompt`` or ``input`` at the top level) goes to the model as a dict and its
answer comes back unwrapped, as MLflow's server does. ``text/csv`` bodies are read with pandas.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from typing import Any

import orjson

from ardea._core.errors import InvalidArgumentError
from ardea.models._signature import Signature

__all__ = [
    "FORMATS",
    "LLM_KEYS",
    "STREAM_KEY",
    "ParsedRequest",
    "parse_csv",
    "parse_json",
    "to_json",
    "to_jsonable",
]

FORMATS = ("dataframe_split", "dataframe_records", "instances", "inputs")
"""The wrapped JSON input formats, one per request."""

LLM_KEYS = ("messages", "prompt", "input")
"""Top-level keys of an unwrapped (chat, completions, embeddings) request."""

STREAM_KEY = "stream"
"""``"stream": true`` in a JSON body asks for Server-Sent Events from ``predict_stream``."""


class ParsedRequest:
    """A decoded ``/invocations`` body.

    Attributes:
        params: The request's ``params`` (or None).
        stream: Whether the body asked for streamed output.
        unwrapped: Whether the answer is written without the ``predictions`` wrapper.
        split: For a ``dataframe_split`` body without an index, its ``(columns, rows)``: the
            batching window builds one frame from several requests' rows, and the request's
            own frame is then never built.
    """

    __slots__ = ("_data", "params", "split", "stream", "unwrapped")

    def __init__(
        self,
        data: Any = None,
        params: dict[str, Any] | None = None,
        stream: bool = False,
        unwrapped: bool = False,
        split: tuple[tuple[str, ...], list[Any]] | None = None,
    ) -> None:
        self._data = data
        self.params = params
        self.stream = stream
        self.unwrapped = unwrapped
        self.split = split

    @property
    def data(self) -> Any:
        """The model input (a ``dataframe_split`` frame is built on first use).

        Raises:
            InvalidArgumentError: the split rows do not make a frame.
        """
        if self._data is None and self.split is not None:
            columns, rows = self.split
            self._data = _frame("dataframe_split", {"columns": list(columns), "data": rows})
        return self._data


def _is_tensor(signature: Signature | None) -> bool:
    return bool(signature and signature.inputs and signature.inputs[0]["type"] == "tensor")


def _frame(orient: str, value: Any) -> Any:
    import pandas as pd

    if orient == "dataframe_split":
        if not isinstance(value, dict) or "data" not in value:
            raise InvalidArgumentError(
                "dataframe_split must be an object with 'data' (a list of rows) and "
                "optionally 'columns' and 'index'."
            )
        unknown = set(value) - {"data", "columns", "index"}
        if unknown:
            raise InvalidArgumentError(
                f"dataframe_split has unknown keys {sorted(unknown)}; allowed: "
                "'columns', 'data', 'index'."
            )
        try:
            return pd.DataFrame(
                data=value["data"], columns=value.get("columns"), index=value.get("index")
            )
        except (ValueError, TypeError) as exc:
            raise InvalidArgumentError(f"dataframe_split is not a valid frame: {exc}") from None
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise InvalidArgumentError("dataframe_records must be a list of objects (one per row).")
    return pd.DataFrame.from_records(value)


def _tensor_input(value: Any, signature: Signature | None) -> Any:
    """``instances`` / ``inputs``: columns become a DataFrame, tensors a numpy array."""
    import numpy as np
    import pandas as pd

    if _is_tensor(signature):
        try:
            return np.asarray(value)
        except ValueError as exc:
            raise InvalidArgumentError(f"The input is not a valid tensor: {exc}") from None
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
        return pd.DataFrame.from_records(value)
    if isinstance(value, dict):
        if value and all(isinstance(v, list) for v in value.values()):
            try:
                return pd.DataFrame(value)
            except ValueError as exc:
                raise InvalidArgumentError(f"The input columns do not line up: {exc}") from None
        return pd.DataFrame([value])
    return value


def parse_json(body: bytes, signature: Signature | None) -> ParsedRequest:
    """Decode a JSON ``/invocations`` body.

    Raises:
        InvalidArgumentError: invalid JSON, not an object, or not exactly one input format.
    """
    try:
        decoded = orjson.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidArgumentError(f"The request body is not valid JSON: {exc}.") from None
    if not isinstance(decoded, dict):
        raise InvalidArgumentError(
            f"The input must be a JSON object with exactly one of the fields {list(FORMATS)}; "
            f"got a JSON {type(decoded).__name__}."
        )
    stream = decoded.pop(STREAM_KEY, False)
    if not isinstance(stream, bool):
        raise InvalidArgumentError("'stream' must be true or false.")
    params = decoded.get("params")
    if params is not None and not isinstance(params, dict):
        raise InvalidArgumentError("'params' must be a JSON object.")
    keys = [key for key in FORMATS if key in decoded]
    if not keys and any(key in decoded for key in LLM_KEYS):
        return ParsedRequest(data=decoded, stream=stream, unwrapped=True)
    unknown = sorted(set(decoded) - set(FORMATS) - {"params"})
    if len(keys) != 1 or unknown:
        raise InvalidArgumentError(
            f"The input must be a JSON object with exactly one of the fields {list(FORMATS)} "
            f"(and optionally 'params', 'stream'); got the fields {sorted(decoded)}."
        )
    key, value = keys[0], decoded[keys[0]]
    if key == "dataframe_split" and _plain_split(value):
        split = (tuple(value["columns"]), value["data"])
        return ParsedRequest(params=params, stream=stream, split=split)
    data = _frame(key, value) if key.startswith("dataframe_") else _tensor_input(value, signature)
    return ParsedRequest(data=data, params=params, stream=stream)


def _plain_split(value: Any) -> bool:
    """``dataframe_split`` with string columns, rows as lists and no index."""
    if not isinstance(value, dict) or set(value) != {"columns", "data"}:
        return False
    columns, rows = value["columns"], value["data"]
    return (
        isinstance(columns, list)
        and all(isinstance(c, str) for c in columns)
        and isinstance(rows, list)
        and all(isinstance(row, list) and len(row) == len(columns) for row in rows)
    )


def parse_csv(body: bytes) -> ParsedRequest:
    """Decode a ``text/csv`` body (a header row, then one row per record)."""
    import pandas as pd

    try:
        frame = pd.read_csv(io.BytesIO(body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidArgumentError(
            f"The request body is not a valid CSV table (header row first): {exc}"
        ) from None
    return ParsedRequest(data=frame)


def to_jsonable(value: Any) -> Any:
    """Predictions as MLflow writes them: frames as records, arrays and series as lists."""
    import sys

    pd = sys.modules.get("pandas")
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        return value.tolist()
    if pd is not None and isinstance(value, pd.DataFrame):
        return value.to_dict(orient="records")
    if pd is not None and isinstance(value, pd.Series):
        return pd.DataFrame(value).to_dict(orient="records")
    return value


def _default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "model_dump"):  # pydantic objects (chat responses)
        return value.model_dump()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def to_json(value: Any) -> str:
    """``value`` as JSON, numpy and pandas values included."""
    return json.dumps(to_jsonable(value), default=_default)
