"""Dataset objects (MLflow-like, pandas, numpy) into run-input entities."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Dataset, DatasetInput

__all__ = ["CONTEXT_TAG", "dataset_from_frame", "to_dataset_input"]

CONTEXT_TAG = "mlflow.data.context"
DEFAULT_NAME = "dataset"
_DIGEST_ROWS = 10_000

_DTYPE_TYPES = {
    "b": "boolean",
    "i": "long",
    "u": "long",
    "f": "double",
    "M": "datetime",
    "S": "binary",
    "O": "string",
    "U": "string",
}


def _colspec_type(dtype: Any) -> str:
    if str(dtype) in ("int32", "int16", "int8"):
        return "integer"
    if str(dtype) == "float32":
        return "float"
    return _DTYPE_TYPES.get(getattr(dtype, "kind", "O"), "string")


def _code_source() -> str:
    main = sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c", "-") else "<console>"
    name = os.path.abspath(main) if main != "<console>" else main
    return json.dumps({"tags": {"mlflow.source.name": name, "mlflow.source.type": "LOCAL"}})


def dataset_from_frame(df: Any, name: str | None = None) -> Dataset:
    """A Dataset entity for a pandas DataFrame: digest of its content, colspec schema, profile.

    Args:
        df: The DataFrame.
        name: Dataset name (default ``dataset``).
    """
    import pandas as pd

    hashed = pd.util.hash_pandas_object(df.head(_DIGEST_ROWS), index=False)
    md5 = hashlib.md5(usedforsecurity=False)
    md5.update(hashed.to_numpy().tobytes())
    md5.update(f"{len(df)}:{list(map(str, df.columns))}".encode())
    schema = {
        "mlflow_colspec": [
            {"type": _colspec_type(dtype), "name": str(col), "required": True}
            for col, dtype in df.dtypes.items()
        ]
    }
    profile = {"num_rows": len(df), "num_elements": int(df.size)}
    return Dataset(
        name=name or DEFAULT_NAME,
        digest=md5.hexdigest()[:8],
        source_type="code",
        source=_code_source(),
        schema=json.dumps(schema),
        profile=json.dumps(profile),
    )


def _dataset_from_array(array: Any, name: str | None = None) -> Dataset:
    import numpy as np

    arr = np.ascontiguousarray(array)
    md5 = hashlib.md5(usedforsecurity=False)
    md5.update(arr[:_DIGEST_ROWS].tobytes())
    md5.update(f"{arr.shape}:{arr.dtype}".encode())
    schema = {
        "mlflow_tensorspec": {
            "features": json.dumps(
                [
                    {
                        "type": "tensor",
                        "tensor-spec": {"dtype": str(arr.dtype), "shape": [-1, *arr.shape[1:]]},
                    }
                ]
            ),
            "targets": None,
        }
    }
    profile = {
        "features_shape": list(arr.shape),
        "features_size": int(arr.size),
        "features_nbytes": int(arr.nbytes),
    }
    return Dataset(
        name=name or DEFAULT_NAME,
        digest=md5.hexdigest()[:8],
        source_type="code",
        source=_code_source(),
        schema=json.dumps(schema),
        profile=json.dumps(profile),
    )


def _as_json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    for attr in ("to_json", "to_dict"):
        fn = getattr(value, attr, None)
        if callable(fn):
            out = fn()
            return out if isinstance(out, str) else json.dumps(out, default=str)
    return json.dumps(value, default=str)


def _dataset_from_object(obj: Any) -> Dataset:
    to_entity = getattr(obj, "_to_mlflow_entity", None)
    if callable(to_entity):
        e = to_entity()
        return Dataset(
            name=e.name,
            digest=e.digest,
            source_type=e.source_type,
            source=e.source,
            schema=e.schema,
            profile=e.profile,
        )
    source = getattr(obj, "source", None)
    source_type = ""
    get_type = getattr(source, "_get_source_type", None)
    if callable(get_type):
        source_type = str(get_type())
    return Dataset(
        name=str(obj.name),
        digest=str(obj.digest),
        source_type=source_type or str(getattr(obj, "source_type", "") or ""),
        source=_as_json_text(source) or "",
        schema=_as_json_text(getattr(obj, "schema", None)),
        profile=_as_json_text(getattr(obj, "profile", None)),
    )


def to_dataset(dataset: Any, name: str | None = None) -> Dataset:
    """Any supported dataset object as a :class:`Dataset` entity.

    Raises:
        InvalidArgumentError: The object is not a dataset Ardea understands.
    """
    if isinstance(dataset, Dataset):
        return dataset
    type_name = type(dataset).__name__
    module = type(dataset).__module__
    if type_name == "DataFrame" and module.startswith("pandas"):
        return dataset_from_frame(dataset, name)
    if type_name == "ndarray" and module.startswith("numpy"):
        return _dataset_from_array(dataset, name)
    if hasattr(dataset, "name") and hasattr(dataset, "digest"):
        return _dataset_from_object(dataset)
    raise InvalidArgumentError(
        f"log_input needs a dataset (MLflow or Ardea dataset, pandas DataFrame or numpy "
        f"array), not {type_name}."
    )


def to_dataset_input(
    dataset: Any, context: str | None = None, tags: Mapping[str, Any] | None = None
) -> DatasetInput:
    """A :class:`DatasetInput` with the context tag and extra input tags."""
    if isinstance(dataset, DatasetInput):
        entity, input_tags = dataset.dataset, dict(dataset.tags)
    else:
        entity, input_tags = to_dataset(dataset), {}
    input_tags.update({str(k): str(v) for k, v in (tags or {}).items()})
    if context is not None:
        input_tags[CONTEXT_TAG] = context
    return DatasetInput(dataset=entity, tags=input_tags)
