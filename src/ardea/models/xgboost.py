"""The ``xgboost`` flavour: Boosters and scikit-learn API models in XGBoost's own file format.

No pickle: the model is written with ``save_model`` (``model.ubj`` by default, as MLflow) and
read back into a fresh instance of the recorded ``model_class`` (an ``xgboost`` class only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ardea.models._boosting import class_name, import_class, log_with, save_with
from ardea.models._files import pinned
from ardea.models._log import ModelInfo
from ardea.models._mlmodel import Manifest
from ardea.models._pyfunc_model import PyFuncModel, add_code_path
from ardea.models._signature import Signature

__all__ = ["load_model", "log_model", "save_model"]

FLAVOR = "xgboost"


def _predict_fn(model: Any) -> Any:
    import xgboost as xgb

    if isinstance(model, xgb.Booster):
        return lambda data: model.predict(xgb.DMatrix(data))
    return model.predict


def _save(path: Path, xgb_model: Any, model_format: str = "ubj", **kwargs: Any) -> Manifest:
    import xgboost as xgb

    def write(folder: Path) -> dict[str, Any]:
        data = f"model.{model_format}"
        xgb_model.save_model(str(folder / data))
        return {
            "data": data,
            "model_class": class_name(xgb_model),
            "model_format": model_format,
            "xgb_version": xgb.__version__,
        }

    return save_with(
        path,
        xgb_model,
        flavor=FLAVOR,
        loader="mlflow.xgboost",
        write=write,
        requirements=[pinned("xgboost")],
        predict=_predict_fn(xgb_model),
        **kwargs,
    )


def save_model(
    xgb_model: Any,
    path: str | Path,
    *,
    model_format: str = "ubj",
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Manifest:
    """Save an ``xgboost.Booster`` or ``XGBClassifier``/``XGBRegressor``/... model.

    Args:
        xgb_model: The trained model.
        path: The new model directory.
        model_format: ``ubj`` (default) or ``json``: XGBoost's own formats.
        input_example: Saved beside the model; the signature is inferred from it.
        signature: An explicit signature.
        code_paths: Files or folders copied into ``code/``.
        pip_requirements: Replace the inferred requirements.
        extra_pip_requirements: Added to them.
        metadata: Free-form metadata stored in ``MLmodel``.
    """
    return _save(
        Path(path),
        xgb_model,
        model_format,
        input_example=input_example,
        signature=signature,
        code_paths=code_paths,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
    )


def log_model(
    xgb_model: Any,
    name: str = "model",
    *,
    model_format: str = "ubj",
    input_example: Any = None,
    signature: Signature | None = None,
    registered_model_name: str | None = None,
    tags: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Save the model (as :func:`save_model`) and log it as a LoggedModel of the run."""
    return log_with(
        lambda folder, extra: _save(
            folder,
            xgb_model,
            model_format,
            input_example=input_example,
            signature=signature,
            extra=extra,
            **kwargs,
        ),
        name,
        registered_model_name,
        tags,
    )


def _load(folder: Path, manifest: Manifest) -> Any:
    conf = manifest.flavor(FLAVOR)
    add_code_path(folder, conf)
    model = import_class(str(conf.get("model_class", "xgboost.core.Booster")), "xgboost")()
    model.load_model(str(folder / str(conf["data"])))
    return model


def load_model(model_uri: str, *, dst_path: str | None = None) -> Any:
    """Load the XGBoost model itself (a Booster or the scikit-learn API class saved)."""
    from ardea.models._uri import local_model_dir

    folder = local_model_dir(model_uri, dst_path)
    return _load(folder, Manifest.load(folder))


def _load_pyfunc(folder: Path, manifest: Manifest, allow_pickle: bool | None) -> PyFuncModel:
    """The model behind the ``python_function`` flavour (no pickle involved)."""
    return PyFuncModel(folder, manifest, _predict_fn(_load(folder, manifest)))
