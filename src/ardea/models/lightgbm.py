"""The ``lightgbm`` flavour: Boosters in LightGBM's text format, scikit-learn API models.

A ``lightgbm.Booster`` is written with ``save_model`` (``model.lgb``): no pickle. The
scikit-learn API classes (``LGBMClassifier``, ...) have no file format of their own; MLflow
serializes them as the ``sklearn`` flavour does, and so does Ardea (``cloudpickle`` by
default here, ``pickle`` on request), so loading one follows the pickle trust rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.models import sklearn as sk_flavor
from ardea.models._boosting import class_name, log_with, save_with
from ardea.models._files import pinned
from ardea.models._log import ModelInfo
from ardea.models._mlmodel import Manifest
from ardea.models._pyfunc_model import PyFuncModel, add_code_path
from ardea.models._signature import Signature

__all__ = ["load_model", "log_model", "save_model"]

FLAVOR = "lightgbm"
BOOSTER = "lightgbm.basic.Booster"


def _save(
    path: Path, lgb_model: Any, serialization_format: str = "cloudpickle", **kwargs: Any
) -> Manifest:
    import lightgbm as lgb

    is_booster = isinstance(lgb_model, lgb.Booster)
    if not is_booster and serialization_format not in ("cloudpickle", "pickle"):
        raise InvalidArgumentError(
            "LightGBM scikit-learn models are saved with serialization_format 'cloudpickle' "
            f"or 'pickle', not {serialization_format!r}."
        )

    def write(folder: Path) -> dict[str, Any]:
        conf: dict[str, Any] = {
            "lgb_version": lgb.__version__,
            "model_class": class_name(lgb_model),
        }
        if is_booster:
            lgb_model.save_model(str(folder / "model.lgb"))
            return {**conf, "data": "model.lgb"}
        sk_flavor._dump(lgb_model, folder / "model.pkl", serialization_format, None)
        return {**conf, "data": "model.pkl", "serialization_format": serialization_format}

    reqs = [pinned("lightgbm")] + ([] if is_booster else [pinned("cloudpickle")])
    return save_with(
        path,
        lgb_model,
        flavor=FLAVOR,
        loader="mlflow.lightgbm",
        write=write,
        requirements=reqs,
        predict=lgb_model.predict,
        **kwargs,
    )


def save_model(
    lgb_model: Any,
    path: str | Path,
    *,
    serialization_format: str = "cloudpickle",
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Manifest:
    """Save a ``lightgbm.Booster`` (native file) or an ``LGBMClassifier``/... (pickled).

    Args:
        lgb_model: The trained model.
        path: The new model directory.
        serialization_format: For scikit-learn API models: ``cloudpickle`` or ``pickle``.
        input_example: Saved beside the model; the signature is inferred from it.
        signature: An explicit signature.
        code_paths: Files or folders copied into ``code/``.
        pip_requirements: Replace the inferred requirements.
        extra_pip_requirements: Added to them.
        metadata: Free-form metadata stored in ``MLmodel``.
    """
    return _save(
        Path(path),
        lgb_model,
        serialization_format,
        input_example=input_example,
        signature=signature,
        code_paths=code_paths,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
    )


def log_model(
    lgb_model: Any,
    name: str = "model",
    *,
    serialization_format: str = "cloudpickle",
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
            lgb_model,
            serialization_format,
            input_example=input_example,
            signature=signature,
            extra=extra,
            **kwargs,
        ),
        name,
        registered_model_name,
        tags,
    )


def _load(folder: Path, manifest: Manifest, allow_pickle: bool | None) -> Any:
    conf = manifest.flavor(FLAVOR)
    add_code_path(folder, conf)
    if str(conf.get("model_class", BOOSTER)) == BOOSTER:
        import lightgbm as lgb

        return lgb.Booster(model_file=str(folder / str(conf["data"])))
    sk_conf = {
        "pickled_model": conf["data"],
        "serialization_format": conf.get("serialization_format", "cloudpickle"),
        "skops_trusted_types": conf.get("skops_trusted_types"),
    }
    return sk_flavor._load_estimator(folder, sk_conf, allow_pickle)


def load_model(
    model_uri: str, *, dst_path: str | None = None, allow_pickle: bool | None = None
) -> Any:
    """Load the LightGBM model itself (a Booster, or the scikit-learn API model saved)."""
    from ardea.models._uri import local_model_dir

    folder = local_model_dir(model_uri, dst_path)
    return _load(folder, Manifest.load(folder), allow_pickle)


def _load_pyfunc(folder: Path, manifest: Manifest, allow_pickle: bool | None) -> PyFuncModel:
    """The model behind the ``python_function`` flavour."""
    return PyFuncModel(folder, manifest, _load(folder, manifest, allow_pickle).predict)
