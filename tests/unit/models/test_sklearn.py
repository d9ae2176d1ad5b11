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


def test_skops_with_its_own_allowlist_needs_no_opt_in(
    estimator: LogisticRegression, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ardea.models import _trust

    ardea.sklearn.save_model(estimator, str(tmp_path / "m"))
    ardea.sklearn.save_model(estimator, str(tmp_path / "p"), serialization_format="pickle")
    monkeypatch.setattr(_trust, "_written", set())  # as if another process wrote them
    monkeypatch.delenv("ARDEA_ALLOW_PICKLE", raising=False)
    loaded = ardea.sklearn.load_model(str(tmp_path / "m"))
    assert list(loaded.predict(X)) == list(estimator.predict(X))
    with pytest.raises(ardea.FailedPreconditionError, match="allow_pickle=True"):
        ardea.sklearn.load_model(str(tmp_path / "p"))


def test_skops_with_extra_trusted_types_needs_the_opt_in(
    estimator: LogisticRegression, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ardea.models import _trust

    ardea.sklearn.save_model(estimator, str(tmp_path / "m"))
    manifest = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    manifest["flavors"]["sklearn"]["skops_trusted_types"] = ["builtins.eval"]
    (tmp_path / "m" / "MLmodel").write_text(yaml.safe_dump(manifest))
    monkeypatch.setattr(_trust, "_written", set())
    monkeypatch.delenv("ARDEA_ALLOW_PICKLE", raising=False)
    with pytest.raises(ardea.FailedPreconditionError, match="allow_pickle=True"):
        ardea.sklearn.load_model(str(tmp_path / "m"))
    with pytest.warns(ardea.models.UntrustedPickleWarning):
        assert ardea.sklearn.load_model(str(tmp_path / "m"), allow_pickle=True) is not None
