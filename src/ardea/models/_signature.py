"""Model signatures in MLflow's JSON format: inferred from an input example, enforced on input.

A signature holds ``inputs`` and ``outputs``, each a list of specs: named or unnamed columns
(``{"type": "double", "name": "a", "required": true}``, with ``array`` and ``object`` types
for nested values) or one tensor (``{"type": "tensor", "tensor-spec": {"dtype": "float64",
"shape": [-1, 4]}}``). In ``MLmodel`` each list is a JSON string, as MLflow writes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = ["Signature", "enforce", "infer_schema", "infer_signature", "select_columns"]

Spec = dict[str, Any]


@dataclass(frozen=True)
class Signature:
    """A model's input and output schemas (lists of MLflow specs)."""

    inputs: list[Spec]
    outputs: list[Spec] | None = None
    params: list[Spec] | None = None

    def to_mlmodel(self) -> dict[str, Any]:
        """The ``signature`` mapping of ``MLmodel`` (JSON strings, as MLflow writes them)."""
        return {
            "inputs": json.dumps(self.inputs),
            "outputs": json.dumps(self.outputs) if self.outputs is not None else None,
            "params": json.dumps(self.params) if self.params is not None else None,
        }

    @classmethod
    def from_mlmodel(cls, data: dict[str, Any] | None) -> Signature | None:
        """The signature of an ``MLmodel`` mapping, or None when it has none."""
        if not data or not data.get("inputs"):
            return None

        def parse(value: Any) -> list[Spec] | None:
            if value is None:
                return None
            loaded = json.loads(value) if isinstance(value, str) else value
            return list(loaded) if isinstance(loaded, list) else None

        return cls(
            inputs=parse(data["inputs"]) or [],
            outputs=parse(data.get("outputs")),
            params=parse(data.get("params")),
        )


# --- inference -------------------------------------------------------------------------------

_DTYPE_KINDS = {"b": "boolean", "f": "double", "M": "datetime", "S": "binary", "U": "string"}


def _numpy_type(dtype: Any) -> str | None:
    """The column type of a numpy dtype, or None for ``object`` (inspect the values)."""
    if dtype.kind in ("i", "u"):
        return "integer" if dtype.itemsize <= 4 else "long"
    if dtype.kind == "f":
        return "float" if dtype.itemsize <= 4 else "double"
    return _DTYPE_KINDS.get(dtype.kind)


def _value_spec(value: Any) -> Spec:
    """The type spec of one Python value (without name and required)."""
    import datetime as dt

    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "long"}
    if isinstance(value, float):
        return {"type": "double"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, bytes):
        return {"type": "binary"}
    if isinstance(value, dt.datetime):
        return {"type": "datetime"}
    if isinstance(value, (list, tuple)):
        if not value:
            raise InvalidArgumentError("Cannot infer a signature from an empty list.")
        return {"type": "array", "items": _value_spec(value[0])}
    if isinstance(value, dict):
        props = {str(k): {**_value_spec(v), "required": True} for k, v in value.items()}
        return {"type": "object", "properties": props}
    numpy_type = _numpy_scalar_type(value)
    if numpy_type is not None:
        return {"type": numpy_type}
    raise InvalidArgumentError(f"Cannot infer a signature type from {type(value).__name__}.")


def _numpy_scalar_type(value: Any) -> str | None:
    dtype = getattr(value, "dtype", None)
    if dtype is None or getattr(value, "ndim", 1) != 0:
        return None
    return _numpy_type(dtype)


def _frame_schema(frame: Any) -> list[Spec]:
    specs: list[Spec] = []
    for name in frame.columns:
        column = frame[name]
        kind = _numpy_type(column.dtype) if hasattr(column.dtype, "kind") else None
        if kind is None:
            values = column.dropna()
            if len(values) == 0:
                raise InvalidArgumentError(f"Column {name!r} has no values to infer a type from.")
            spec = _value_spec(values.iloc[0])
        else:
            spec = {"type": kind}
        specs.append({**spec, "name": str(name), "required": bool(column.notna().all())})
    return specs


def infer_schema(data: Any) -> list[Spec]:
    """The schema (list of specs) of an example input or output.

    Accepts a pandas DataFrame or Series, a numpy array (a tensor spec), a dict (named
    columns: a scalar or a list each), a list of dicts (rows), a string or a list of strings
    (one unnamed string column), and scalars.
    """
    import sys

    pd = sys.modules.get("pandas")
    np = sys.modules.get("numpy")
    if pd is not None and isinstance(data, pd.DataFrame):
        return _frame_schema(data)
    if pd is not None and isinstance(data, pd.Series):
        return _frame_schema(data.to_frame(name=data.name if data.name is not None else 0))
    if np is not None and isinstance(data, np.ndarray):
        if data.dtype.kind == "O":
            return [{**_value_spec(data.flat[0]), "required": True}]
        shape = [-1, *data.shape[1:]]
        return [{"type": "tensor", "tensor-spec": {"dtype": str(data.dtype), "shape": shape}}]
    if isinstance(data, dict):
        if not data:
            raise InvalidArgumentError("Cannot infer a signature from an empty dict.")
        return [{**_value_spec(v), "name": str(k), "required": True} for k, v in data.items()]
    if isinstance(data, list) and data and all(isinstance(row, dict) for row in data):
        names = list(dict.fromkeys(k for row in data for k in row))
        return [
            {
                **_value_spec(next(row[k] for row in data if k in row)),
                "name": str(k),
                "required": all(k in row for row in data),
            }
            for k in names
        ]
    if isinstance(data, list) and data:
        return [{**_value_spec(data[0]), "required": True}]
    return [{**_value_spec(data), "required": True}]


def infer_signature(model_input: Any, model_output: Any = None) -> Signature:
    """A signature from an input example (and optionally the model's output on it)."""
    outputs = infer_schema(model_output) if model_output is not None else None
    return Signature(inputs=infer_schema(model_input), outputs=outputs)


# --- enforcement -----------------------------------------------------------------------------


def _describe(spec: Spec) -> str:
    if spec["type"] == "array":
        return f"array of {_describe(spec['items'])}"
    if spec["type"] == "tensor":
        tensor = spec["tensor-spec"]
        return f"tensor of {tensor['dtype']} with shape {tensor['shape']}"
    return str(spec["type"])


def _value_ok(spec: Spec, value: Any) -> bool:
    """Whether ``value`` fits ``spec`` (ints widen to floats; nothing else converts)."""
    kind = str(spec["type"])
    if kind == "array":
        return isinstance(value, (list, tuple)) or hasattr(value, "tolist")
    if kind == "object":
        return isinstance(value, dict)
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return kind == "boolean"
    actual = _value_spec(value)["type"] if not isinstance(value, (list, dict)) else "nested"
    widen = {"integer": {"long"}, "long": {"integer"}, "float": {"double", "long", "integer"}}
    widen["double"] = widen["float"] | {"float"}
    return actual == kind or actual in widen.get(kind, set())


def _missing(value: Any) -> bool:
    """None, NaN, or pandas' ``NA`` / ``NaT``."""
    if value is None or (isinstance(value, float) and value != value):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def _check_column(name: str, spec: Spec, values: Any) -> None:
    for value in values:
        if _missing(value):
            if spec.get("required", True):
                raise InvalidArgumentError(
                    f"Column {name!r} is required ({_describe(spec)}) but has a missing value."
                )
            continue
        if not _value_ok(spec, value):
            raise InvalidArgumentError(
                f"Column {name!r}: expected {_describe(spec)}, got {type(value).__name__} "
                f"value {value!r}."
            )


_KINDS = {"double": "fiu", "float": "fiu", "long": "iu", "integer": "iu", "boolean": "b"}
"""The NumPy dtype kinds a whole column may have for a scalar type (ints widen to floats)."""


def _fits_whole(spec: Spec, column: Any) -> bool:
    """Whether a frame's column fits ``spec`` by its dtype alone (no value-by-value check).

    A column of a numeric NumPy dtype fits a numeric type of the same or a wider kind when it
    has no missing value (or the column is optional); anything else is checked value by value.
    """
    if column is None or spec.get("name") is None:
        return False
    kinds = _KINDS.get(str(spec["type"]))
    dtype = getattr(column, "dtype", None)
    kind = getattr(dtype, "kind", None)
    if kinds is None or not isinstance(kind, str) or len(kind) != 1 or kind not in kinds:
        return False
    if not type(dtype).__module__.startswith("numpy"):  # pandas extension dtypes: by value
        return False
    return not spec.get("required", True) or not bool(column.isna().any())


def _enforce_columns(specs: list[Spec], columns: dict[str, Any], what: str) -> None:
    for spec in specs:
        name = spec.get("name")
        if name is None:
            continue
        if name not in columns:
            if spec.get("required", True):
                present = ", ".join(map(repr, columns)) or "none"
                raise InvalidArgumentError(
                    f"Missing column {name!r} ({_describe(spec)}) in the {what}; "
                    f"columns present: {present}."
                )
            continue
        _check_column(str(name), spec, columns[name])


def _enforce_tensor(spec: Spec, data: Any) -> Any:
    import numpy as np

    tensor = spec["tensor-spec"]
    array = np.asarray(data)
    expected = np.dtype(tensor["dtype"])
    if array.dtype != expected and not np.can_cast(array.dtype, expected, casting="safe"):
        raise InvalidArgumentError(
            f"Input tensor: expected dtype {expected}, got {array.dtype} (no safe conversion)."
        )
    shape = tensor["shape"]
    if len(shape) != array.ndim or any(
        want not in (-1, got) for want, got in zip(shape, array.shape, strict=False)
    ):
        raise InvalidArgumentError(
            f"Input tensor: expected shape {shape} (-1 is any size), got {list(array.shape)}."
        )
    return array.astype(expected, copy=False)


def enforce(signature: Signature | None, data: Any) -> Any:
    """Check ``data`` against the signature's inputs; returns it (tensors cast safely).

    Raises:
        InvalidArgumentError: naming the missing or mistyped column and its expected type.
    """
    if signature is None or not signature.inputs:
        return data
    import sys

    specs = signature.inputs
    if specs[0]["type"] == "tensor":
        return _enforce_tensor(specs[0], data)
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(data, pd.DataFrame):
        columns = {str(c): data[c] for c in data.columns}
        slow = [s for s in specs if not _fits_whole(s, columns.get(str(s.get("name"))))]
        wanted = {str(s.get("name")) for s in slow}
        lists = {name: (col.tolist() if name in wanted else ()) for name, col in columns.items()}
        _enforce_columns(slow, lists, "input frame")
    elif isinstance(data, dict):
        _enforce_columns(specs, {str(k): [v] for k, v in data.items()}, "input")
    elif isinstance(data, list) and data and all(isinstance(row, dict) for row in data):
        for row in data:
            _enforce_columns(specs, {str(k): [v] for k, v in row.items()}, "input row")
    elif all(spec.get("name") is None for spec in specs):
        values = data if isinstance(data, list) else [data]
        _check_column("input", specs[0], values)
    else:
        raise InvalidArgumentError(
            f"Input of type {type(data).__name__} does not match the signature's named columns "
            f"({', '.join(repr(s['name']) for s in specs if s.get('name') is not None)})."
        )
    return data


def select_columns(signature: Signature | None, data: Any) -> Any:
    """A DataFrame's signature columns, in the signature's order (extra columns dropped).

    Anything else, a signature without named columns, or a frame missing a required column
    (:func:`enforce` then names it) comes back unchanged.
    """
    import sys

    pd = sys.modules.get("pandas")
    if signature is None or pd is None or not isinstance(data, pd.DataFrame):
        return data
    names = [spec.get("name") for spec in signature.inputs]
    if not names or any(name is None for name in names):
        return data
    present = [name for name in names if name in data.columns]
    missing = [s for s in signature.inputs if s["name"] not in data.columns]
    if any(spec.get("required", True) for spec in missing):
        return data
    if present == list(data.columns):
        return data
    return data[present]
