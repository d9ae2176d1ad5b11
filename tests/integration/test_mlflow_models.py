"""The model format in both directions with the real ``mlflow`` client and a live server.

Ardea logs, ``mlflow.pyfunc.load_model`` / ``mlflow.sklearn.load_model`` load; ``mlflow``
logs, ``ardea.pyfunc.load_model`` loads (after the pickle opt-in: those files were not
written by this process).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import ardea
from ardea import FailedPreconditionError, InvalidArgumentError
from ardea.models._trust import UntrustedPickleWarning
from ardea.tracing import provider

pytestmark = pytest.mark.slow

X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1, 0, 1, 0]})
Y = [0, 1, 0, 1]


@pytest.fixture
def both(mlflow_env: str) -> Iterator[str]:
    """Ardea's fluent API and the mlflow client, both on the module's server."""
    provider.reset()
    ardea.set_tracking_uri(mlflow_env)
    yield mlflow_env
    while ardea.active_run() is not None:
        ardea.end_run()
    provider.reset()
    ardea.set_tracking_uri(None)


def upper_frame(data: Any) -> list[str]:
    """mlflow hands a DataFrame to a model with a signature; Ardea passes the list as given."""
    values = data.iloc[:, 0] if hasattr(data, "iloc") else data
    return [str(v).upper() for v in values]


class Words:
    """An object model that streams."""

    def predict(self, data: dict[str, str]) -> list[str]:
        return data["q"].split()

    def predict_stream(self, data: dict[str, str]) -> Any:
        yield from data["q"].split()


def test_mlflow_streams_an_ardea_object_model(both: str) -> None:
    import mlflow

    with ardea.start_run():
        info = ardea.pyfunc.log_model(Words(), "words")
    model = mlflow.pyfunc.load_model(info.model_uri)
    assert list(model.predict_stream({"q": "a b c"})) == ["a", "b", "c"]
    assert list(ardea.pyfunc.load_model(info.model_uri).predict_stream({"q": "x y"})) == ["x", "y"]


def test_mlflow_loads_what_ardea_logged(both: str) -> None:
    import mlflow

    estimator = LogisticRegression().fit(X, Y)
    ardea.set_experiment("models-ardea-to-mlflow")
    with ardea.start_run() as run:
        fn_info = ardea.pyfunc.log_model(upper_frame, "upper", input_example=["hi"])
        sk_info = ardea.sklearn.log_model(
            estimator, "clf", input_example=X[:2], registered_model_name="ardea-clf"
        )
    fn = mlflow.pyfunc.load_model(fn_info.model_uri)
    assert fn.predict(["hey", "yo"]) == ["HEY", "YO"]
    assert fn.metadata.get_input_schema().input_types()[0].name == "string"
    for uri in (sk_info.model_uri, f"runs:/{run.info.run_id}/clf", "models:/ardea-clf/1"):
        assert list(mlflow.pyfunc.load_model(uri).predict(X)) == list(estimator.predict(X))
    loaded = mlflow.sklearn.load_model(sk_info.model_uri)
    assert isinstance(loaded, LogisticRegression)
    signature = mlflow.models.get_model_info(sk_info.model_uri).signature
    assert signature.inputs.input_names() == ["a", "b"]
    logged = mlflow.get_logged_model(sk_info.model_id)
    assert (logged.name, logged.source_run_id, logged.status) == (
        "clf",
        run.info.run_id,
        "READY",
    )


def test_ardea_loads_what_mlflow_logged(both: str) -> None:
    import mlflow
    import mlflow.pyfunc
    import mlflow.sklearn

    class Greeter(mlflow.pyfunc.PythonModel):  # no type hints: mlflow would read them
        def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
            return [f"hello {name}" for name in model_input["name"]]

    estimator = LogisticRegression().fit(X, Y)
    mlflow.set_experiment("models-mlflow-to-ardea")
    with mlflow.start_run() as run:
        sk_info = mlflow.sklearn.log_model(
            estimator, name="clf", input_example=X[:2], registered_model_name="mlflow-clf"
        )
        py_info = mlflow.pyfunc.log_model(
            name="greeter", python_model=Greeter(), input_example=pd.DataFrame({"name": ["a"]})
        )
    # MLflow's default sklearn format is skops: its own allowlist needs no pickle opt-in
    assert sk_info.flavors["sklearn"]["serialization_format"] == "skops"
    for uri in (sk_info.model_uri, f"runs:/{run.info.run_id}/clf", "models:/mlflow-clf/1"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", UntrustedPickleWarning)
            model = ardea.pyfunc.load_model(uri)
        assert list(model.predict(X)) == list(estimator.predict(X))
    with pytest.raises(InvalidArgumentError, match="Column 'b': expected long, got str"):
        model.predict(X.assign(b=["x"] * 4))
    assert isinstance(ardea.sklearn.load_model(sk_info.model_uri), LogisticRegression)
    # a cloudpickled python model is a pickle: refused without the opt-in
    with pytest.raises(FailedPreconditionError, match="ARDEA_ALLOW_PICKLE"):
        ardea.pyfunc.load_model(py_info.model_uri)
    with pytest.warns(UntrustedPickleWarning):
        greeter = ardea.pyfunc.load_model(py_info.model_uri, allow_pickle=True)
    assert greeter.predict(pd.DataFrame({"name": ["x"]})) == ["hello x"]
    with pytest.raises(InvalidArgumentError, match="Missing column 'name' \\(string\\)"):
        greeter.predict(pd.DataFrame({"other": ["x"]}))


@pytest.mark.parametrize("flavor", ["xgboost", "lightgbm"])
def test_boosters_both_ways_without_pickle(both: str, flavor: str) -> None:
    import importlib

    import lightgbm as lgb
    import mlflow
    import numpy as np
    import xgboost as xgb

    frame = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20) % 3})
    labels = (frame["a"] > 9).astype(int)
    if flavor == "xgboost":
        model: Any = xgb.train({}, xgb.DMatrix(frame, labels), 3)
        expected = model.predict(xgb.DMatrix(frame))
    else:
        model = lgb.train({"verbose": -1}, lgb.Dataset(frame, labels), 3)
        expected = model.predict(frame)
    ardea.set_experiment(f"models-{flavor}")
    with ardea.start_run():
        ours = getattr(ardea, flavor).log_model(model, "booster", input_example=frame[:2])
    np.testing.assert_allclose(mlflow.pyfunc.load_model(ours.model_uri).predict(frame), expected)
    mlflow_flavor = importlib.import_module(f"mlflow.{flavor}")
    with mlflow.start_run():
        theirs = mlflow_flavor.log_model(model, name="booster", input_example=frame[:2])
    # native model files: no pickle, so no opt-in
    loaded = ardea.pyfunc.load_model(theirs.model_uri)
    np.testing.assert_allclose(loaded.predict(frame), expected)
    with pytest.raises(InvalidArgumentError, match="Missing column 'b'"):
        loaded.predict(frame[["a"]])


def test_lightgbm_sklearn_api_from_mlflow_needs_the_opt_in(both: str) -> None:
    import lightgbm as lgb
    import mlflow
    import mlflow.lightgbm

    clf = lgb.LGBMClassifier(n_estimators=3, verbose=-1).fit(X, Y)
    with mlflow.start_run():
        info = mlflow.lightgbm.log_model(clf, name="clf", input_example=X[:2])
    with pytest.raises(FailedPreconditionError):
        ardea.lightgbm.load_model(info.model_uri)
    with pytest.warns(UntrustedPickleWarning):
        model = ardea.pyfunc.load_model(info.model_uri, allow_pickle=True)
    assert list(model.predict(X)) == list(clf.predict(X))


def test_pytorch_both_ways(both: str, tmp_path: Any) -> None:
    import sys

    import mlflow
    import mlflow.pytorch
    import numpy as np
    import torch

    nets = tmp_path / "ardea_it_nets.py"
    nets.write_text("import torch\n\ndef build():\n    return torch.nn.Linear(2, 1)\n")
    net = torch.nn.Linear(2, 1)
    frame = pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    with torch.no_grad():
        expected = net(torch.tensor(frame.to_numpy(dtype=np.float32))).numpy()
    ardea.set_experiment("models-pytorch")
    with ardea.start_run():
        ours = ardea.pytorch.log_model(
            net, "net", loader="ardea_it_nets:build", code_paths=[str(nets)], input_example=frame
        )
    nets.unlink()  # the loader now lives only in the model's code/ folder
    try:
        np.testing.assert_allclose(
            mlflow.pyfunc.load_model(ours.model_uri).predict(frame), expected
        )
        np.testing.assert_allclose(ardea.pyfunc.load_model(ours.model_uri).predict(frame), expected)
    finally:
        sys.modules.pop("ardea_it_nets", None)
    example = frame.to_numpy("float32")
    with mlflow.start_run():
        exported = mlflow.pytorch.log_model(net, name="net", input_example=example)
        theirs = mlflow.pytorch.log_model(
            net, name="pickled", input_example=example, serialization_format="pickle"
        )
    # mlflow 3.18's default is torch.export's pt2 format: no pickle, no opt-in
    np.testing.assert_allclose(
        ardea.pyfunc.load_model(exported.model_uri).predict(example), expected
    )
    with pytest.raises(FailedPreconditionError):
        ardea.pytorch.load_model(theirs.model_uri)
    with pytest.warns(UntrustedPickleWarning):
        module = ardea.pytorch.load_model(theirs.model_uri, allow_pickle=True)
    assert torch.equal(module.weight, net.weight)
