"""The ``python_function`` flavour: any function or object with ``predict`` as a model.

``save_model(path, python_model=...)`` writes a directory that ``mlflow.pyfunc.load_model``
loads too (``loader_module: mlflow.pyfunc.model``, the model cloudpickled in
``python_model.pkl``); ``load_model(uri)`` loads any model directory through its
``python_function`` flavour, whichever flavour wrote it::

    import ardea

    def shout(texts):
        return [t.upper() for t in texts]

    ardea.pyfunc.save_model("shout-model", python_model=shout, input_example=["hi"])
    model = ardea.pyfunc.load_model("shout-model")
    assert model.predict(["hey"]) == ["HEY"]
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.models import _wrapper
from ardea.models._files import pinned
from ardea.models._log import ModelInfo, log_saved
from ardea.models._mlmodel import Manifest
from ardea.models._pyfunc_model import ModelContext, PyFuncModel, load_pyfunc_dir
from ardea.models._save import copy_code, finish, new_folder
from ardea.models._signature import Signature
from ardea.models._trust import check_pickle, remember

__all__ = [
    "ModelContext",
    "ModelInfo",
    "PyFuncModel",
    "load_model",
    "log_model",
    "save_model",
    "spark_udf",
]

FLAVOR = "python_function"
LOADER = "mlflow.pyfunc.model"
PICKLE_FILE = "python_model.pkl"


def _wrap(python_model: Any) -> Any:
    if isinstance(python_model, type):
        python_model = python_model()
    if callable(getattr(python_model, "predict", None)):
        return _wrapper.ObjectModel(python_model)
    if callable(python_model):
        return _wrapper.FunctionModel(python_model)
    raise InvalidArgumentError(
        "python_model must be a function or an object (or class) with a predict method, "
        f"not {type(python_model).__name__}."
    )


def _dump(obj: Any, path: Path) -> None:
    import cloudpickle

    # The wrapper module travels by value: mlflow loads the file without Ardea installed.
    cloudpickle.register_pickle_by_value(_wrapper)
    try:
        with open(path, "wb") as f:
            cloudpickle.dump(obj, f)
    finally:
        cloudpickle.unregister_pickle_by_value(_wrapper)
    remember(path)


def _save(
    path: Path,
    python_model: Any,
    *,
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Manifest:
    wrapped = _wrap(python_model)
    folder = new_folder(path)
    code = copy_code(folder, code_paths)
    _dump(wrapped, folder / PICKLE_FILE)
    import cloudpickle

    streamable = isinstance(wrapped, _wrapper.ObjectModel) and callable(
        getattr(wrapped.obj, "predict_stream", None)
    )
    flavors = {
        FLAVOR: {
            "cloudpickle_version": cloudpickle.__version__,
            "code": code,
            "loader_module": LOADER,
            "python_model": PICKLE_FILE,
            "streamable": streamable,
        }
    }
    reqs = [pinned("cloudpickle")] + [pinned(d) for d in ("numpy", "pandas") if _installed(d)]
    return finish(
        folder,
        flavors,
        requirements=reqs,
        input_example=input_example,
        signature=signature,
        predict=lambda data: wrapped.predict(data),
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        extra=extra,
    )


def _installed(distribution: str) -> bool:
    return "==" in pinned(distribution)


def save_model(
    path: str | Path,
    python_model: Any,
    *,
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Manifest:
    """Save a function or an object with ``predict`` (and optionally ``predict_stream``).

    Args:
        path: The new model directory (must not exist, or be empty).
        python_model: ``fn(model_input)``, or an object (or a class, instantiated without
            arguments) with ``predict(model_input)``; ``load_context(context)`` and
            ``predict_stream(model_input)`` are used when present.
        input_example: Saved beside the model; the signature is inferred from it (and from
            the model's output on it) unless ``signature`` is given.
        signature: An explicit signature (see :func:`ardea.models.infer_signature`).
        code_paths: Files or folders copied into ``code/`` and put on ``sys.path`` at load.
        pip_requirements: Replace the inferred ``requirements.txt`` lines.
        extra_pip_requirements: Lines added to them.
        metadata: Free-form metadata stored in ``MLmodel``.

    Returns:
        The written manifest.
    """
    return _save(
        Path(path),
        python_model,
        input_example=input_example,
        signature=signature,
        code_paths=code_paths,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
    )


def log_model(
    python_model: Any,
    name: str = "model",
    *,
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: dict[str, Any] | None = None,
    registered_model_name: str | None = None,
    tags: Mapping[str, Any] | None = None,
) -> ModelInfo:
    """Save the model (as :func:`save_model`) and log it as a LoggedModel of the active run.

    Returns:
        A :class:`ModelInfo`; ``model_uri`` (``models:/<model_id>``) loads it.
    """
    return log_saved(
        name,
        lambda folder, extra: _save(
            folder,
            python_model,
            input_example=input_example,
            signature=signature,
            code_paths=code_paths,
            pip_requirements=pip_requirements,
            extra_pip_requirements=extra_pip_requirements,
            metadata=metadata,
            extra=extra,
        ),
        registered_model_name=registered_model_name,
        tags=tags,
    )


def load_model(
    model_uri: str, *, dst_path: str | None = None, allow_pickle: bool | None = None
) -> PyFuncModel:
    """Load any model through its ``python_function`` flavour.

    Args:
        model_uri: A local path, ``runs:/<run_id>/<name>``, ``models:/<model_id>``,
            ``models:/<name>/<version>``, ``models:/<name>@<alias>`` or an artifact URI.
        dst_path: Where to download a remote model (a temporary folder by default).
        allow_pickle: Opt in to unpickling files this process did not write (see
            ``ARDEA_ALLOW_PICKLE``); None reads the environment.
    """
    from ardea.models._uri import local_model_dir

    return load_pyfunc_dir(local_model_dir(model_uri, dst_path), allow_pickle)


def spark_udf(
    spark: Any,
    model_uri: str,
    result_type: Any = None,
    env_manager: str | None = None,
    *,
    allow_pickle: bool | None = None,
) -> Any:
    """A Spark UDF scoring rows with the model (``pyspark`` needed; see docs/models.md).

    The arguments are :func:`ardea.models.spark.spark_udf`'s; so is what it returns.
    """
    from ardea.models.spark import spark_udf as make

    return make(spark, model_uri, result_type, env_manager, allow_pickle=allow_pickle)


def _takes_context(method: Any) -> bool:
    params = list(inspect.signature(method).parameters)
    return bool(params) and params[0] == "context"


def _call(method: Any, context: ModelContext, data: Any) -> Any:
    if _takes_context(method):
        return method(context, data)
    return method(data)


def _load_pyfunc(folder: Path, manifest: Manifest, allow_pickle: bool | None) -> PyFuncModel:
    """Load a ``mlflow.pyfunc.model`` directory (written by Ardea or by mlflow)."""
    import cloudpickle

    conf = manifest.flavor(FLAVOR)
    if conf.get("model_code_path"):
        raise InvalidArgumentError(
            "Models from code (model_code_path) are not supported by Ardea's loader yet."
        )
    path = folder / str(conf.get("python_model", PICKLE_FILE))
    check_pickle(path, allow_pickle)
    with open(path, "rb") as f:
        model = cloudpickle.load(f)
    artifacts = {
        name: str(folder / info["path"]) for name, info in (conf.get("artifacts") or {}).items()
    }
    context = ModelContext(artifacts=artifacts)
    hook = getattr(model, "load_context", None)
    if callable(hook):
        hook(context)

    def stream(data: Any) -> Iterator[Any]:
        return iter(_call(model.predict_stream, context, data))

    can_stream = callable(getattr(model, "predict_stream", None)) and conf.get("streamable", True)
    return PyFuncModel(
        folder,
        manifest,
        lambda data: _call(model.predict, context, data),
        stream if can_stream else None,
    )
