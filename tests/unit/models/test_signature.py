"""Signatures: inferred from every example kind, written as MLflow's JSON, enforced."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ardea import InvalidArgumentError
from ardea.models._signature import Signature, enforce, infer_schema, infer_signature


def test_dataframe_columns_get_mlflow_types() -> None:
    frame = pd.DataFrame(
        {"a": [1.0, 2.0], "b": [1, 2], "s": ["x", "y"], "f": [True, False], "g": [1.0, None]}
    )
    assert infer_schema(frame) == [
        {"type": "double", "name": "a", "required": True},
        {"type": "long", "name": "b", "required": True},
        {"type": "string", "name": "s", "required": True},
        {"type": "boolean", "name": "f", "required": True},
        {"type": "double", "name": "g", "required": False},
    ]


def test_other_example_kinds() -> None:
    assert infer_schema({"x": ["a", "b"], "n": 3}) == [
        {"type": "array", "items": {"type": "string"}, "name": "x", "required": True},
        {"type": "long", "name": "n", "required": True},
    ]
    assert infer_schema(np.zeros((3, 4), dtype=np.float32)) == [
        {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}
    ]
    assert infer_schema([{"q": "a"}, {"q": "b", "k": 2}]) == [
        {"type": "string", "name": "q", "required": True},
        {"type": "long", "name": "k", "required": False},
    ]
    assert (
        infer_schema("hi") == infer_schema(["hi", "yo"]) == [{"type": "string", "required": True}]
    )


def test_mlmodel_round_trip_uses_json_strings() -> None:
    sig = infer_signature(pd.DataFrame({"a": [1.0]}), np.array([1]))
    data = sig.to_mlmodel()
    assert json.loads(data["inputs"]) == [{"type": "double", "name": "a", "required": True}]
    assert data["params"] is None
    assert Signature.from_mlmodel(data) == sig


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (pd.DataFrame({"a": [1.0]}), "Missing column 'b' (long) in the input frame"),
        (pd.DataFrame({"a": ["x"], "b": [1]}), "Column 'a': expected double, got str value 'x'"),
        (pd.DataFrame({"a": [1.0], "b": [1.5]}), "Column 'b': expected long, got float"),
        ([{"a": 1.0, "b": None}], "Column 'b' is required (long) but has a missing value"),
        ({"a": 1.0, "b": "2"}, "Column 'b': expected long, got str value '2'"),
        ("text", "does not match the signature's named columns ('a', 'b')"),
    ],
)
def test_enforcement_names_the_column_and_the_type(data: object, message: str) -> None:
    sig = infer_signature(pd.DataFrame({"a": [1.0], "b": [2]}))
    with pytest.raises(InvalidArgumentError) as info:
        enforce(sig, data)
    assert message in str(info.value)


def test_enforcement_accepts_matching_and_widened_input() -> None:
    sig = infer_signature(pd.DataFrame({"a": [1.0], "b": [2]}))
    frame = pd.DataFrame({"a": [1], "b": [2], "extra": ["kept"]})  # ints widen to double
    assert enforce(sig, frame) is frame
    assert enforce(infer_signature(["x"]), ["a", "b"]) == ["a", "b"]
    with pytest.raises(InvalidArgumentError, match="Column 'input': expected string"):
        enforce(infer_signature(["x"]), ["a", 1])


def test_tensor_dtype_and_shape() -> None:
    sig = infer_signature(np.zeros((2, 3), dtype=np.float64))
    out = enforce(sig, np.ones((5, 3), dtype=np.float32))
    assert out.dtype == np.float64
    with pytest.raises(InvalidArgumentError, match=r"expected shape \[-1, 3\]"):
        enforce(sig, np.ones((5, 4)))
    with pytest.raises(InvalidArgumentError, match="expected dtype float64, got <U1"):
        enforce(sig, np.array([["a", "b", "c"]]))


def test_whole_numeric_columns_are_checked_by_dtype_with_the_same_answers() -> None:
    sig = infer_signature(pd.DataFrame({"a": [1.0], "b": [2], "g": [1.0, None][:1]}))
    sig.inputs[2]["required"] = False
    big = pd.DataFrame({"a": np.arange(10_000, dtype=float), "b": np.arange(10_000)})
    big["g"] = np.nan  # optional: missing values are fine
    assert enforce(sig, big) is big
    with pytest.raises(InvalidArgumentError, match=r"Column 'a' is required .* missing value"):
        enforce(sig, big.assign(a=[1.0] * 9_999 + [np.nan]))
    with pytest.raises(InvalidArgumentError, match="Column 'b': expected long, got float"):
        enforce(sig, big.assign(b=big["b"] + 0.5))
    with pytest.raises(InvalidArgumentError, match="Column 'a': expected double, got bool"):
        enforce(sig, big.assign(a=True))
    # pandas extension dtypes go value by value: a nullable integer with a gap is caught
    with pytest.raises(InvalidArgumentError, match="Column 'b' is required"):
        enforce(sig, big.assign(b=pd.array([1] * 9_999 + [None], dtype="Int64")))


def test_numpy_columns_take_the_dtype_path_and_extension_columns_do_not() -> None:
    from ardea.models._signature import _fits_whole

    double = {"type": "double", "name": "a", "required": True}
    assert _fits_whole(double, pd.Series([1.0, 2.0]))
    assert _fits_whole(double, pd.Series([1, 2]))  # ints widen
    assert not _fits_whole(double, pd.Series([1.0, None]))  # required, with a gap
    assert _fits_whole({**double, "required": False}, pd.Series([1.0, None]))
    assert not _fits_whole({**double, "type": "long"}, pd.Series([1.5]))
    assert not _fits_whole(double, pd.Series([True]))
    assert not _fits_whole(double, pd.Series([1.0], dtype="Float64"))  # checked value by value
    assert not _fits_whole({**double, "type": "string"}, pd.Series(["x"]))
