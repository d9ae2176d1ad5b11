"""The scoring protocol's answers: the orjson fast path writes what the general path writes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ardea.models.serving._formats import predictions_json, to_json, to_jsonable


def _general(predictions: object) -> bytes:
    return to_json({"predictions": to_jsonable(predictions)}).encode()


def test_numeric_arrays_are_written_as_the_general_path_writes_them() -> None:
    rng = np.random.default_rng(0)
    for array in (
        rng.normal(size=100),
        np.array([0.1, 1e-300, 1.5e300, -0.0, 3.0]),
        np.arange(10, dtype=np.int64),
        rng.normal(size=(5, 3)).astype(np.float32),
    ):
        assert json.loads(predictions_json(array)) == json.loads(_general(array))
    strided = np.arange(10.0)[::2]  # not contiguous: the general path
    assert predictions_json(strided) == _general(strided)


def test_nan_frames_and_lists_keep_mlflow_s_spelling() -> None:
    with_nan = np.array([1.0, np.nan])
    assert predictions_json(with_nan) == b'{"predictions": [1.0, NaN]}'
    frame = pd.DataFrame({"label": ["a", "b"], "p": [0.5, 0.25]})
    assert json.loads(predictions_json(frame)) == {
        "predictions": [{"label": "a", "p": 0.5}, {"label": "b", "p": 0.25}]
    }
    assert json.loads(predictions_json(["x", "y"])) == {"predictions": ["x", "y"]}
