"""``ardea models predict`` as a real process, and ``ardea.models.batch.predict_file``: CSV,
JSON Lines, Parquet and MLflow JSON inputs read in chunks, 2-D and DataFrame outputs, bad
input (a clear error naming the rows, no traceback, no output file), and a model saved by
the real ``mlflow`` client."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

import ardea
from ardea.models.batch import predict_file

FEATURES = ["a", "b", "c"]


def _frame(rows: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.random((rows, 3)), columns=FEATURES)
    frame.insert(0, "id", range(rows))  # not a feature: passes through to the output
    return frame


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return _frame()


@pytest.fixture(scope="module")
def regressor(tmp_path_factory: pytest.TempPathFactory, data: pd.DataFrame) -> Path:
    x = data[FEATURES]
    model = LinearRegression().fit(x, 2 * x.a + x.b - x.c)
    path = tmp_path_factory.mktemp("reg") / "model"
    ardea.sklearn.save_model(model, path, input_example=x.head(3))
    return path


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory, data: pd.DataFrame) -> Path:
    x = data[FEATURES]
    model = LogisticRegression().fit(x, (x.a > 0.5).astype(int))
    path = tmp_path_factory.mktemp("clf") / "model"
    ardea.sklearn.save_model(
        model, path, input_example=x.head(3), pyfunc_predict_fn="predict_proba"
    )
    return path


def _expected(model: Path, frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(ardea.pyfunc.load_model(str(model)).predict(frame[FEATURES]))


def _cli(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-m", "ardea.cli.main", "models", "predict", *map(str, args)]
    return subprocess.run(argv, input=stdin, capture_output=True, timeout=120)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        rows = frame.to_dict(orient="records")  # json: floats at full precision
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    else:
        frame.to_parquet(path, index=False)
    return path


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path)
    if path.suffix == ".jsonl":
        return pd.read_json(path, lines=True)
    return pd.read_parquet(path)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_cli_scores_each_format_in_chunks(
    tmp_path: Path, regressor: Path, data: pd.DataFrame, suffix: str
) -> None:
    source = _write(data, tmp_path / f"in{suffix}")
    target = tmp_path / f"out{suffix}"
    done = _cli("-m", regressor, "-i", source, "-o", target, "--batch-size", "7")
    assert done.returncode == 0, done.stderr.decode()
    assert b"Scored 50 rows" in done.stderr
    out = _read(target)
    assert list(out.columns) == ["id", *FEATURES, "predictions"]
    assert out["id"].tolist() == list(range(50))  # every chunk, in order
    # chunks of 7 rows may sum in another order than the whole frame: last-bit differences
    np.testing.assert_allclose(
        out["predictions"], _expected(regressor, data), rtol=1e-9, atol=1e-12
    )


def test_cli_converts_between_formats_and_prints_mlflow_json(
    tmp_path: Path, regressor: Path, data: pd.DataFrame
) -> None:
    source = _write(data, tmp_path / "in.parquet")
    done = _cli("-m", regressor, "-i", source, "-o", tmp_path / "out.csv")
    assert done.returncode == 0, done.stderr.decode()
    assert pd.read_csv(tmp_path / "out.csv")["predictions"].size == 50

    printed = _cli("-m", regressor, "-i", source, "--batch-size", "16")
    assert printed.returncode == 0, printed.stderr.decode()
    answer = json.loads(printed.stdout)
    assert list(answer) == ["predictions"]
    np.testing.assert_allclose(answer["predictions"], _expected(regressor, data))


def test_cli_reads_mlflow_json_payloads_and_stdin(regressor: Path, data: pd.DataFrame) -> None:
    example = regressor / "serving_input_example.json"
    from_file = _cli("-m", regressor, "-i", example)
    assert from_file.returncode == 0, from_file.stderr.decode()
    assert len(json.loads(from_file.stdout)["predictions"]) == 3

    body = {"dataframe_records": data[FEATURES].head(4).to_dict(orient="records")}
    from_stdin = _cli("-m", regressor, "-t", "json", stdin=json.dumps(body).encode())
    assert from_stdin.returncode == 0, from_stdin.stderr.decode()
    expected = _expected(regressor, data.head(4))
    np.testing.assert_allclose(json.loads(from_stdin.stdout)["predictions"], expected)

    csv = data.head(5).to_csv(index=False).encode()
    csv_stdin = _cli("-m", regressor, "-t", "csv", stdin=csv)
    assert csv_stdin.returncode == 0, csv_stdin.stderr.decode()
    assert len(json.loads(csv_stdin.stdout)["predictions"]) == 5


def test_two_d_predictions_become_columns(
    tmp_path: Path, classifier: Path, data: pd.DataFrame
) -> None:
    source = _write(data, tmp_path / "in.parquet")
    result = predict_file(str(classifier), source, tmp_path / "out.parquet", batch_size=20)
    assert (result.rows, result.output_format) == (50, "parquet")
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert list(out.columns) == ["id", *FEATURES, "predictions_0", "predictions_1"]
    proba = _expected(classifier, data)
    np.testing.assert_allclose(out[["predictions_0", "predictions_1"]].to_numpy(), proba)

    as_json = tmp_path / "out.json"
    predict_file(str(classifier), source, as_json)
    rows = json.loads(as_json.read_text())["predictions"]
    np.testing.assert_allclose(np.asarray(rows), proba)


def test_dataframe_predictions_keep_their_column_names(tmp_path: Path, data: pd.DataFrame) -> None:
    def label(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"label": (frame["a"] > 0.5).astype(int), "a": frame["a"] * 10})

    model = tmp_path / "model"
    ardea.pyfunc.save_model(model, python_model=label, input_example=data[["a"]].head(2))
    source = _write(data, tmp_path / "in.jsonl")
    predict_file(ardea.pyfunc.load_model(str(model)), source, tmp_path / "out.jsonl")
    out = pd.read_json(tmp_path / "out.jsonl", lines=True)
    # "a" is an input column: the model's "a" is written as predictions_a
    assert list(out.columns) == ["id", *FEATURES, "label", "predictions_a"]
    assert out["label"].tolist() == (data["a"] > 0.5).astype(int).tolist()
    np.testing.assert_allclose(out["predictions_a"], data["a"] * 10)


def _fails(done: subprocess.CompletedProcess[bytes], *needles: str) -> str:
    err = done.stderr.decode()
    assert done.returncode != 0
    assert "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def test_bad_input_names_the_problem_and_rows(
    tmp_path: Path, regressor: Path, data: pd.DataFrame
) -> None:
    target = tmp_path / "out.csv"
    unknown = tmp_path / "in.txt"
    unknown.write_text("a,b,c\n1,2,3\n")
    _fails(_cli("-m", regressor, "-i", unknown, "-o", target), "'in.txt'", "--content-type")

    missing = _write(data.drop(columns=["c"]), tmp_path / "missing.csv")
    _fails(
        _cli("-m", regressor, "-i", missing, "-o", target, "--batch-size", "20"),
        "Rows 1-20",
        "Missing column 'c'",
    )

    mistyped = data.astype({"b": object})
    mistyped.loc[33, "b"] = "oops"
    source = _write(mistyped, tmp_path / "mistyped.csv")
    _fails(
        _cli("-m", regressor, "-i", source, "-o", target, "--batch-size", "20"),
        "Row 34: column 'b' holds 'oops', not a double.",  # not just the chunk
    )
    assert not target.exists()  # no half-written output (the first chunk was fine)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    not_parquet = tmp_path / "fake.parquet"
    not_parquet.write_text("a,b\n")
    _fails(_cli("-m", regressor, "-i", not_parquet), "not a readable Parquet file")
    _fails(_cli("-m", regressor, "-i", tmp_path / "absent.csv"), "does not exist")
    _fails(_cli("-m", regressor, "-i", missing, "--batch-size", "0"), "--batch-size")

    printed = _cli("-m", regressor, "-i", missing)
    _fails(printed, "Missing column 'c'")
    assert printed.stdout == b""  # nothing printed before the first chunk scored


def test_progress_on_stderr(tmp_path: Path, regressor: Path, data: pd.DataFrame) -> None:
    source = _write(data, tmp_path / "in.csv")
    done = _cli("-m", regressor, "-i", source, "-o", tmp_path / "o.csv", "--progress")
    assert done.returncode == 0, done.stderr.decode()
    assert b"50/50" in done.stderr and b"row/s" in done.stderr
    quiet = _cli("-m", regressor, "-i", source, "-o", tmp_path / "o.csv")
    assert b"row/s" not in quiet.stderr  # stderr is not a terminal here


def test_model_saved_by_mlflow_needs_the_opt_in(tmp_path: Path, data: pd.DataFrame) -> None:
    import mlflow.sklearn

    x = data[FEATURES]
    model = LinearRegression().fit(x, x.a)
    path = tmp_path / "mlflow-model"
    mlflow.sklearn.save_model(
        model, str(path), input_example=x.head(2), serialization_format="cloudpickle"
    )
    source = _write(data, tmp_path / "in.parquet")
    _fails(_cli("-m", path, "-i", source), "--allow-pickle")
    done = _cli("-m", path, "-i", source, "-o", tmp_path / "out.parquet", "--allow-pickle")
    assert done.returncode == 0, done.stderr.decode()
    np.testing.assert_allclose(
        pd.read_parquet(tmp_path / "out.parquet")["predictions"], model.predict(x)
    )


def test_registry_uri_is_downloaded_then_scored(tmp_path: Path, data: pd.DataFrame) -> None:
    import os

    store = tmp_path / "store"
    x = data[FEATURES]
    model = LinearRegression().fit(x, x.c)
    ardea.set_tracking_uri(str(store))
    try:
        with ardea.start_run():
            ardea.sklearn.log_model(
                model, name="model", input_example=x.head(2), registered_model_name="scorer"
            )
    finally:
        ardea.set_tracking_uri(None)
    source = _write(data, tmp_path / "in.parquet")
    target = tmp_path / "out.parquet"
    argv = [sys.executable, "-m", "ardea.cli.main", "models", "predict", "-m", "models:/scorer/1"]
    done = subprocess.run(
        [*argv, "-i", str(source), "-o", str(target)],
        capture_output=True,
        timeout=120,
        env={**os.environ, "ARDEA_TRACKING_URI": str(store)},
    )
    assert done.returncode == 0, done.stderr.decode()
    np.testing.assert_allclose(pd.read_parquet(target)["predictions"], model.predict(x))
