"""The ``sklearn`` flavour: scikit-learn estimators, in MLflow's layout.

Serialization formats, as MLflow 3.18: ``skops`` (the default, as in MLflow 3.18 outside
Databricks: ``model.skops``; needs the ``skops`` package), ``cloudpickle`` and ``pickle``
(``model.pkl``). Every format can run code chosen by the file's author when loaded (skops
reads its allow-list of types from the model itself), so loading follows the same trust rule
as pickle files: files this process wrote load, others need ``allow_pickle=True`` or
``ARDEA_ALLOW_PICKLE=1``.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.models._files import pinned
from ardea.models._log import ModelInfo, log_saved
from ardea.models._mlmodel import Manifest
from ardea.models._pyfunc_model import PyFuncModel, add_code_path
from ardea.models._save import copy_code, finish, new_folder
from ardea.models._signature import Signature
from ardea.models._trust import check_pickle, remember

__all__ = ["SERIALIZATION_FORMATS", "load_model", "log_model", "save_model"]

FLAVOR = "sklearn"
SERIALIZATION_FORMATS = ("skops", "cloudpickle", "pickle")
_FILES = {"skops": "model.skops", "cloudpickle": "model.pkl", "pickle": "model.pkl"}


def _dump(model: Any, path: Path, fmt: str, trusted: Sequence[str] | None) -> list[str] | None:
    """Write the estimator; returns the skops trusted types recorded in ``MLmodel``."""
    if fmt == "skops":
        try:
            import skops.io
        except ImportError as exc:
            raise InvalidArgumentError(
                "serialization_format='skops' needs the skops package (pip install skops), "
                "or pass serialization_format='cloudpickle'."
            ) from exc
        skops.io.dump(model, path)
        untrusted = set(skops.io.get_untrusted_types(file=path)) - set(trusted or ())
        if untrusted:
            path.unlink()
            raise InvalidArgumentError(
                f"skops would not load types {sorted(untrusted)}: list them in "
                "skops_trusted_types if you trust them, or use serialization_format='cloudpickle'."
            )
        remember(path)
        return list(trusted) if trusted else None
    if fmt == "cloudpickle":
        import cloudpickle

        with open(path, "wb") as f:
            cloudpickle.dump(model, f)
    else:
        with open(path, "wb") as f:
            pickle.dump(model, f, protocol=pickle.DEFAULT_PROTOCOL)
    remember(path)
    return None


def _save(
    path: Path,
    sk_model: Any,
    *,
    serialization_format: str = "skops",
    skops_trusted_types: Sequence[str] | None = None,
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    pyfunc_predict_fn: str = "predict",
    metadata: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Manifest:
    import sklearn

    if serialization_format not in SERIALIZATION_FORMATS:
        raise InvalidArgumentError(
            f"serialization_format must be one of {', '.join(SERIALIZATION_FORMATS)}, "
            f"not {serialization_format!r}."
        )
    if not callable(getattr(sk_model, pyfunc_predict_fn, None)):
        raise InvalidArgumentError(
            f"The model has no {pyfunc_predict_fn!r} method (pyfunc_predict_fn)."
        )
    folder = new_folder(path)
    code = copy_code(folder, code_paths)
    filename = _FILES[serialization_format]
    trusted = _dump(sk_model, folder / filename, serialization_format, skops_trusted_types)
    flavors = {
        "python_function": {
            "loader_module": "mlflow.sklearn",
            "model_path": filename,
            "predict_fn": pyfunc_predict_fn,
            "code": code,
        },
        FLAVOR: {
            "code": code,
            "pickled_model": filename,
            "serialization_format": serialization_format,
            "sklearn_version": sklearn.__version__,
            "skops_trusted_types": trusted,
        },
    }
    reqs = [pinned("scikit-learn"), pinned("numpy")]
    reqs.append(pinned("skops") if serialization_format == "skops" else pinned("cloudpickle"))
    return finish(
        folder,
        flavors,
        requirements=reqs,
        input_example=input_example,
        signature=signature,
        predict=getattr(sk_model, pyfunc_predict_fn),
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        extra=extra,
    )


def save_model(
    sk_model: Any,
    path: str | Path,
    *,
    serialization_format: str = "skops",
    skops_trusted_types: Sequence[str] | None = None,
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    pyfunc_predict_fn: str = "predict",
    metadata: dict[str, Any] | None = None,
) -> Manifest:
    """Save a fitted estimator as a model directory (``sklearn`` and ``python_function``).

    Args:
        sk_model: The fitted estimator.
        path: The new model directory (must not exist, or be empty).
        serialization_format: ``skops`` (default), ``cloudpickle`` or ``pickle``.
        skops_trusted_types: Extra types skops may load (types outside scikit-learn).
        input_example: Saved beside the model; the signature is inferred from it and from
            the estimator's output on it unless ``signature`` is given.
        signature: An explicit signature.
        code_paths: Files or folders copied into ``code/`` (custom transformers' modules).
        pip_requirements: Replace the inferred ``requirements.txt`` lines.
        extra_pip_requirements: Lines added to them.
        pyfunc_predict_fn: The method ``predict`` of the loaded pyfunc model calls
            (``predict_proba``, ...).
        metadata: Free-form metadata stored in ``MLmodel``.
    """
    return _save(
        Path(path),
        sk_model,
        serialization_format=serialization_format,
        skops_trusted_types=skops_trusted_types,
        input_example=input_example,
        signature=signature,
        code_paths=code_paths,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        pyfunc_predict_fn=pyfunc_predict_fn,
        metadata=metadata,
    )


def log_model(
    sk_model: Any,
    name: str = "model",
    *,
    serialization_format: str = "skops",
    skops_trusted_types: Sequence[str] | None = None,
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    pyfunc_predict_fn: str = "predict",
    metadata: dict[str, Any] | None = None,
    registered_model_name: str | None = None,
    tags: Mapping[str, Any] | None = None,
) -> ModelInfo:
    """Save the estimator (as :func:`save_model`) and log it as a LoggedModel of the run."""
    return log_saved(
        name,
        lambda folder, extra: _save(
            folder,
            sk_model,
            serialization_format=serialization_format,
            skops_trusted_types=skops_trusted_types,
            input_example=input_example,
            signature=signature,
            code_paths=code_paths,
            pip_requirements=pip_requirements,
            extra_pip_requirements=extra_pip_requirements,
            pyfunc_predict_fn=pyfunc_predict_fn,
            metadata=metadata,
            extra=extra,
        ),
        registered_model_name=registered_model_name,
        tags=tags,
    )


def _load_estimator(folder: Path, conf: dict[str, Any], allow_pickle: bool | None) -> Any:
    fmt = str(conf.get("serialization_format", "pickle"))
    path = folder / str(conf.get("pickled_model", _FILES.get(fmt, "model.pkl")))
    if fmt not in SERIALIZATION_FORMATS:
        raise InvalidArgumentError(f"Unknown sklearn serialization_format {fmt!r}.")
    extra_types = conf.get("skops_trusted_types") or None
    if fmt != "skops" or extra_types:
        # skops with its own allowlist (scikit-learn, NumPy and SciPy types) builds no
        # other object, so it needs no opt-in; extra types come from the model's author.
        check_pickle(path, allow_pickle)
    if fmt == "skops":
        import skops.io

        return skops.io.load(path, trusted=extra_types)
    import cloudpickle

    with open(path, "rb") as f:
        return cloudpickle.load(f)  # reads pickle files too


def load_model(
    model_uri: str, *, dst_path: str | None = None, allow_pickle: bool | None = None
) -> Any:
    """Load the fitted estimator itself (not a pyfunc wrapper).

    Args:
        model_uri: Any model URI :func:`ardea.pyfunc.load_model` accepts.
        dst_path: Where to download a remote model.
        allow_pickle: Opt in to loading files this process did not write.
    """
    from ardea.models._uri import local_model_dir

    folder = local_model_dir(model_uri, dst_path)
    manifest = Manifest.load(folder)
    conf = manifest.flavor(FLAVOR)
    add_code_path(folder, conf)
    return _load_estimator(folder, conf, allow_pickle)


def _load_pyfunc(folder: Path, manifest: Manifest, allow_pickle: bool | None) -> PyFuncModel:
    """The estimator behind the ``python_function`` flavour."""
    pyfunc = manifest.flavor("python_function")
    conf = manifest.flavors.get(FLAVOR) or {
        "pickled_model": pyfunc.get("model_path", "model.pkl"),
        "serialization_format": "cloudpickle",
    }
    estimator = _load_estimator(folder, conf, allow_pickle)
    method = getattr(estimator, str(pyfunc.get("predict_fn") or "predict"))
    return PyFuncModel(folder, manifest, method)
