"""``ardea.models.batch``: predictions to columns, the signature's columns, formats, errors
and the all-or-nothing output, in process (the CLI is tested in tests/integration)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ardea
from ardea._core.errors import InvalidArgumentError
from ardea.models._signature import Signature, select_columns
from ardea.models.batch import predict_file, predictions_frame


def test_predictions_frame_shapes() -> None:
    one = predictions_frame(np.array([1.0, 2.0]), 2)
    assert list(one.columns) == ["predictions"] and one["predictions"].tolist() == [1.0, 2.0]
    two = predictions_frame([[1, 2], [3, 4]], 2)
    assert list(two.columns) == ["predictions_0", "predictions_1"]
    assert predictions_frame(pd.Series(["x", "y"]), 2)["predictions"].tolist() == ["x", "y"]
    records = predictions_frame([{"label": 1, "p": 0.5}, {"label": 0, "p": 0.1}], 2, {"p"})
    assert list(records.columns) == ["label", "predictions_p"]
    assert records["label"].dtype.kind == "i"  # the frame's dtypes survive
    single = predictions_frame(pd.DataFrame({"score": [0.1, 0.2]}), 2)
    assert list(single.columns) == ["predictions"]


def test_predictions_frame_refusals() -> None:
    with pytest.raises(InvalidArgumentError, match="returned 1 predictions for 2 rows"):
        predictions_frame([1.0], 2)
    with pytest.raises(InvalidArgumentError, match="3-D predictions"):
        predictions_frame(np.zeros((2, 2, 2)), 2)
    with pytest.raises(InvalidArgumentError, match="already has a column named 'predictions'"):
        predictions_frame([1.0, 2.0], 2, {"predictions"})


def test_select_columns_orders_and_drops_extras() -> None:
    signature = Signature(
        inputs=[
            {"type": "double", "name": "b", "required": True},
            {"type": "double", "name": "a", "required": True},
            {"type": "double", "name": "z", "required": False},
        ]
    )
    frame = pd.DataFrame({"id": [1], "a": [1.0], "b": [2.0]})
    assert list(select_columns(signature, frame).columns) == ["b", "a"]
    missing = frame.drop(columns=["a"])
    assert select_columns(signature, missing) is missing  # enforce() names the column
    assert select_columns(None, frame) is frame
    assert select_columns(signature, [1, 2]) == [1, 2]


@pytest.fixture
def doubler(tmp_path: Path) -> Path:
    def double(frame: pd.DataFrame) -> list[float]:
        return (frame["x"] * 2).tolist()

    path = tmp_path / "model"
    ardea.pyfunc.save_model(path, python_model=double, input_example=pd.DataFrame({"x": [1.0]}))
    return path


def test_formats_and_stdout(tmp_path: Path, doubler: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = ardea.pyfunc.load_model(str(doubler))
    source = tmp_path / "in.csv"
    pd.DataFrame({"x": [1.0, 2.5, 4.0], "tag": ["a", "b", "c"]}).to_csv(source, index=False)
    result = predict_file(model, source, tmp_path / "out.jsonl", batch_size=2, progress=False)
    assert (result.rows, result.output_format) == (3, "jsonl")
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert lines[1] == {"x": 2.5, "tag": "b", "predictions": 5.0}

    stdout = io.TextIOWrapper(io.BytesIO())
    monkeypatch.setattr(sys, "stdout", stdout)
    predict_file(model, source, None, batch_size=2, progress=False)
    stdout.flush()
    assert json.loads(stdout.buffer.getvalue()) == {"predictions": [2.0, 5.0, 8.0]}

    other = tmp_path / "answer.txt"  # not a table format: MLflow's JSON
    assert predict_file(model, source, other, progress=False).output_format == "json"
    assert json.loads(other.read_text()) == {"predictions": [2.0, 5.0, 8.0]}


def test_empty_input_and_refusals(tmp_path: Path, doubler: Path) -> None:
    empty = tmp_path / "empty.parquet"
    pd.DataFrame({"x": pd.Series([], dtype="float64")}).to_parquet(empty)
    out = tmp_path / "out.json"
    assert predict_file(str(doubler), empty, out, progress=False).rows == 0
    assert json.loads(out.read_text()) == {"predictions": []}

    source = tmp_path / "in.csv"
    source.write_text("x\n1\n")
    with pytest.raises(InvalidArgumentError, match="Unknown content type 'xml'"):
        predict_file(str(doubler), source, content_type="xml")
    with pytest.raises(InvalidArgumentError, match="batch_size"):
        predict_file(str(doubler), source, batch_size=0)
    with pytest.raises(InvalidArgumentError, match="Parquet input must be a file"):
        predict_file(str(doubler), None, content_type="parquet")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InvalidArgumentError, match=r"Cannot write .*out\.csv"):
        predict_file(str(doubler), source, blocker / "out.csv")  # a file, not a folder


def test_parquet_chunks_must_share_a_schema(tmp_path: Path) -> None:
    def echo(frame: pd.DataFrame) -> list[object]:
        # a model whose output type changes between chunks
        return [1 if v < 2 else "two" for v in frame["x"]]

    path = tmp_path / "model"
    ardea.pyfunc.save_model(path, python_model=echo)
    source = tmp_path / "in.parquet"
    pd.DataFrame({"x": [1.0, 1.0, 3.0, 3.0]}).to_parquet(source)
    target = tmp_path / "out.parquet"
    with pytest.raises(InvalidArgumentError, match="Rows 3-4 do not fit the Parquet schema"):
        predict_file(str(path), source, target, batch_size=2, progress=False)
    assert not target.exists() and list(tmp_path.glob(".out.parquet.*")) == []


def test_odd_prediction_values_are_written(tmp_path: Path) -> None:
    import datetime as dt

    def odd(frame: pd.DataFrame) -> list[object]:
        return [b"\x00\x01", dt.date(2026, 1, 2), float("nan"), {"k": np.int64(3)}][: len(frame)]

    path = tmp_path / "model"
    ardea.pyfunc.save_model(path, python_model=odd)
    source = tmp_path / "in.csv"
    source.write_text("x\n1\n2\n3\n4\n")
    out = tmp_path / "out.json"
    predict_file(str(path), source, out, progress=False)
    assert json.loads(out.read_text())["predictions"] == ["AAE=", "2026-01-02", None, {"k": 3}]
    lines = tmp_path / "out.jsonl"
    predict_file(str(path), source, lines, progress=False)
    rows = [json.loads(line) for line in lines.read_text().splitlines()]
    assert [r["predictions"] for r in rows] == ["AAE=", "2026-01-02", None, {"k": 3}]
