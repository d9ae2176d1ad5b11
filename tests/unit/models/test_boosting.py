"""ardea.xgboost and ardea.lightgbm: native files (no pickle) and the scikit-learn API."""

from __future__ import annotations

from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
import yaml

import ardea
from ardea import InvalidArgumentError

X = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20) % 3})
Y = (X["a"] > 9).astype(int)


def _flavor(path: Path, name: str) -> dict[str, object]:
    conf: dict[str, object] = yaml.safe_load((path / "MLmodel").read_text())["flavors"][name]
    return conf


@pytest.mark.parametrize("kind", ["booster", "sklearn-api"])
def test_xgboost_native_file(tmp_path: Path, kind: str) -> None:
    model = (
        xgb.train({}, xgb.DMatrix(X, Y), 3)
        if kind == "booster"
        else xgb.XGBClassifier(n_estimators=3).fit(X, Y)
    )
    ardea.xgboost.save_model(model, str(tmp_path / "m"), input_example=X[:2])
    conf = _flavor(tmp_path / "m", "xgboost")
    assert conf["data"] == "model.ubj" and not list((tmp_path / "m").glob("*.pkl"))
    assert conf["model_class"] == f"{type(model).__module__}.{type(model).__qualname__}"
    loaded = ardea.xgboost.load_model(str(tmp_path / "m"))
    assert type(loaded) is type(model)
    expected = model.predict(xgb.DMatrix(X)) if kind == "booster" else model.predict(X)
    np.testing.assert_allclose(ardea.pyfunc.load_model(str(tmp_path / "m")).predict(X), expected)


def test_xgboost_model_class_must_be_an_xgboost_class(tmp_path: Path) -> None:
    ardea.xgboost.save_model(xgb.train({}, xgb.DMatrix(X, Y), 2), str(tmp_path / "m"))
    text = (tmp_path / "m" / "MLmodel").read_text()
    (tmp_path / "m" / "MLmodel").write_text(text.replace("xgboost.core.Booster", "os.system"))
    with pytest.raises(InvalidArgumentError, match="is not a xgboost class"):
        ardea.xgboost.load_model(str(tmp_path / "m"))


def test_lightgbm_booster_and_sklearn_api(tmp_path: Path) -> None:
    booster = lgb.train({"verbose": -1}, lgb.Dataset(X, Y), 3)
    ardea.lightgbm.save_model(booster, str(tmp_path / "b"), input_example=X[:2])
    assert _flavor(tmp_path / "b", "lightgbm")["data"] == "model.lgb"
    assert isinstance(ardea.lightgbm.load_model(str(tmp_path / "b")), lgb.Booster)
    np.testing.assert_allclose(
        ardea.pyfunc.load_model(str(tmp_path / "b")).predict(X), booster.predict(X)
    )
    clf = lgb.LGBMClassifier(n_estimators=3, verbose=-1).fit(X, Y)
    ardea.lightgbm.save_model(clf, str(tmp_path / "c"), input_example=X[:2])
    assert _flavor(tmp_path / "c", "lightgbm")["serialization_format"] == "cloudpickle"
    assert list(ardea.pyfunc.load_model(str(tmp_path / "c")).predict(X)) == list(clf.predict(X))
    with pytest.raises(InvalidArgumentError, match="Column 'b': expected long, got str"):
        ardea.pyfunc.load_model(str(tmp_path / "c")).predict(X.assign(b=["x"] * 20))
