"""ardea.sklearn: skops, cloudpickle and pickle directories, loaded as estimator and pyfunc."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from sklearn.linear_model import LogisticRegression

import ardea
from ardea import InvalidArgumentError

X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1, 0, 1, 0]})
Y = [0, 1, 0, 1]


@pytest.fixture(scope="module")
def estimator() -> LogisticRegression:
    return LogisticRegression().fit(X, Y)


@pytest.mark.parametrize(
    ("fmt", "filename"),
    [("skops", "model.skops"), ("cloudpickle", "model.pkl"), ("pickle", "model.pkl")],
)
def test_formats_round_trip(
    estimator: LogisticRegression, tmp_path: Path, fmt: str, filename: str
) -> None:
    path = tmp_path / "m"
    ardea.sklearn.save_model(estimator, str(path), serialization_format=fmt, input_example=X[:2])
    flavors = yaml.safe_load((path / "MLmodel").read_text())["flavors"]
    assert flavors["sklearn"]["serialization_format"] == fmt
    assert flavors["sklearn"]["pickled_model"] == filename
    assert flavors["python_function"]["loader_module"] == "mlflow.sklearn"
    assert (path / filename).is_file()
    loaded = ardea.sklearn.load_model(str(path))
    assert isinstance(loaded, LogisticRegression)
    assert list(loaded.predict(X)) == list(estimator.predict(X))
    pyfunc = ardea.pyfunc.load_model(str(path))
    assert list(pyfunc.predict(X)) == list(estimator.predict(X))


def test_signature_is_enforced(estimator: LogisticRegression, tmp_path: Path) -> None:
    ardea.sklearn.save_model(estimator, str(tmp_path / "m"), input_example=X[:2])
    model = ardea.pyfunc.load_model(str(tmp_path / "m"))
    with pytest.raises(InvalidArgumentError, match="Column 'a': expected double, got str"):
        model.predict(X.assign(a=["x"] * 4))
    with pytest.raises(InvalidArgumentError, match="Missing column 'b' \\(long\\)"):
        model.predict(X[["a"]])


def test_predict_fn_and_bad_format(estimator: LogisticRegression, tmp_path: Path) -> None:
    ardea.sklearn.save_model(estimator, str(tmp_path / "m"), pyfunc_predict_fn="predict_proba")
    assert ardea.pyfunc.load_model(str(tmp_path / "m")).predict(X).shape == (4, 2)
    with pytest.raises(InvalidArgumentError, match="serialization_format must be one of"):
        ardea.sklearn.save_model(estimator, str(tmp_path / "n"), serialization_format="joblib")


def test_log_model(estimator: LogisticRegression, store_uri: str) -> None:
    with ardea.start_run():
        info = ardea.sklearn.log_model(estimator, "clf", input_example=X[:2])
    assert info.flavors["sklearn"]["serialization_format"] == "skops"
    assert info.signature is not None and info.signature.inputs[0]["name"] == "a"
    loaded = ardea.sklearn.load_model(info.model_uri)
    assert list(loaded.predict(X)) == list(estimator.predict(X))


def test_an_autologged_model_loads_in_the_process_that_wrote_it(
    estimator: LogisticRegression, tmp_path: Path
) -> None:
    from ardea.autolog._sklearn_log import model_files

    model_files(estimator, "run-id", tmp_path / "model")
    loaded = ardea.sklearn.load_model(str(tmp_path / "model"))
    assert list(loaded.predict(X)) == list(estimator.predict(X))
