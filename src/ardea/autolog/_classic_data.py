"""Training data as a run input: a digest of its content, its shape, MLflow's entity shape.

Understands what the classical libraries train on: numpy arrays, pandas DataFrames and
Series, scipy sparse matrices, torch tensors, XGBoost ``DMatrix`` (its CSR data and labels)
and LightGBM ``Dataset`` (its raw data, read before LightGBM frees it). Anything else is not
logged (None). The digest is 8 hex characters of an MD5 over the first 10,000 rows, the
shapes and dtypes, as MLflow's numpy and pandas datasets compute it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ardea.entities import Dataset, DatasetInput

__all__ = ["dataset_input", "to_numpy"]

DEFAULT_NAME = "dataset"
_DIGEST_ROWS = 10_000


def to_numpy(data: Any) -> Any:
    """``data`` as a numpy array (or scipy sparse matrix), or None when not understood."""
    import numpy as np

    kind = f"{type(data).__module__}.{type(data).__name__}"
    if data is None:
        return None
    if kind.startswith("xgboost.") and hasattr(data, "get_data"):
        return data.get_data()
    if kind.startswith("lightgbm.") and hasattr(data, "data"):
        return to_numpy(data.data)
    if kind.startswith("torch.") and hasattr(data, "detach"):
        return data.detach().cpu().numpy()
    if kind.startswith("scipy.sparse"):
        return data
    if hasattr(data, "to_numpy"):
        return data.to_numpy()
    if isinstance(data, (np.ndarray, list, tuple)):
        try:
            return np.asarray(data)
        except (ValueError, TypeError):
            return None
    return None


def _labels(data: Any) -> Any:
    kind = type(data).__module__
    if kind.startswith("xgboost."):
        return data.get_label()
    if kind.startswith("lightgbm."):
        return data.get_label() if data.label is not None else None
    return None


def _update(md5: Any, array: Any) -> tuple[list[int], str]:
    """Add ``array``'s first rows to the digest; returns its shape and dtype."""
    import numpy as np

    if hasattr(array, "tocsr"):  # scipy sparse: its CSR arrays
        csr = array.tocsr()[:_DIGEST_ROWS]
        for part in (csr.data, csr.indices, csr.indptr):
            md5.update(np.ascontiguousarray(part).tobytes())
    elif array.dtype == object:
        md5.update(repr(array[:_DIGEST_ROWS].tolist()).encode())
    else:
        md5.update(np.ascontiguousarray(array[:_DIGEST_ROWS]).tobytes())
    shape, dtype = [int(n) for n in array.shape], str(array.dtype)
    md5.update(f"{shape}:{dtype}".encode())
    return shape, dtype


def _spec(shape: list[int], dtype: str) -> dict[str, Any]:
    return {"type": "tensor", "tensor-spec": {"dtype": dtype, "shape": [-1, *shape[1:]]}}


def dataset_input(data: Any, targets: Any = None, context: str = "train") -> DatasetInput | None:
    """The run input describing ``data`` (features) and ``targets``, or None if not understood.

    Args:
        data: The features (or a ``DMatrix`` / LightGBM ``Dataset`` carrying the labels).
        targets: The labels, when given apart.
        context: The ``mlflow.data.context`` input tag (``train``, ``eval``).
    """
    from ardea.fluent._datasets import _code_source

    features = to_numpy(data)
    if features is None or not hasattr(features, "shape"):
        return None
    labels = to_numpy(targets if targets is not None else _labels(data))
    md5 = hashlib.md5(usedforsecurity=False)
    shape, dtype = _update(md5, features)
    profile: dict[str, Any] = {"features_shape": shape}
    spec: dict[str, Any] = {"features": json.dumps([_spec(shape, dtype)]), "targets": None}
    if labels is not None and hasattr(labels, "shape"):
        t_shape, t_dtype = _update(md5, labels)
        profile["targets_shape"] = t_shape
        spec["targets"] = json.dumps([_spec(t_shape, t_dtype)])
    dataset = Dataset(
        name=DEFAULT_NAME,
        digest=md5.hexdigest()[:8],
        source_type="code",
        source=_code_source(),
        schema=json.dumps({"mlflow_tensorspec": spec}),
        profile=json.dumps(profile),
    )
    return DatasetInput(dataset=dataset, tags={"mlflow.data.context": context})
