"""The ``pytorch`` flavour: a state dict plus a loader, not a pickled module.

``save_model(model, path, loader="mypkg.nets:build")`` writes ``data/state_dict.pth`` (tensors
only, read back with ``torch.load(weights_only=True)``) and records the loader, a function
``"module:attr"`` that builds the untrained module; list its file in ``code_paths`` when it
is not installed where the model loads. ``mlflow.pyfunc.load_model`` loads the directory too
(its ``python_function`` flavour is a small cloudpickled wrapper doing the same steps).
Models that ``mlflow.pytorch`` logged load too: its default ``pt2`` format (``torch.export``,
``data/model.pt2``) directly, a pickled module (``data/model.pth``) after the pickle opt-in.

Loading a model imports its loader: code in a model's ``code/`` folder runs then, as with
MLflow. Load models with code only from sources you trust.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.models import _wrapper
from ardea.models._files import pinned
from ardea.models._log import ModelInfo, log_saved
from ardea.models._mlmodel import Manifest
from ardea.models._pyfunc_model import PyFuncModel, add_code_path
from ardea.models._save import copy_code, finish, new_folder
from ardea.models._signature import Signature
from ardea.models._trust import check_pickle

__all__ = ["load_model", "log_model", "save_model"]

FLAVOR = "pytorch"
DATA_DIR = "data"
STATE_FILE = "state_dict.pth"
PICKLED_FILE = "model.pth"
EXPORTED_FILE = "model.pt2"
_LOADER = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def _save(
    path: Path,
    pytorch_model: Any,
    loader: str,
    *,
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Manifest:
    import cloudpickle
    import torch

    from ardea.models.pyfunc import _dump

    if not isinstance(loader, str) or not _LOADER.fullmatch(loader):
        raise InvalidArgumentError(
            f"loader must name a function as 'package.module:function', not {loader!r}."
        )
    folder = new_folder(path)
    code = copy_code(folder, code_paths)
    (folder / DATA_DIR).mkdir()
    state_path = f"{DATA_DIR}/{STATE_FILE}"
    torch.save(pytorch_model.state_dict(), folder / state_path)
    _dump(_wrapper.TorchStateDictModel(loader), folder / "python_model.pkl")
    flavors = {
        "python_function": {
            "loader_module": "mlflow.pyfunc.model",
            "ardea_loader_module": "ardea.models.pytorch",
            "python_model": "python_model.pkl",
            "cloudpickle_version": cloudpickle.__version__,
            "artifacts": {"state_dict": {"path": state_path, "uri": state_path}},
            "code": code,
            "streamable": False,
        },
        FLAVOR: {
            "model_data": DATA_DIR,
            "state_dict": STATE_FILE,
            "loader": loader,
            "pytorch_version": str(torch.__version__),
            "code": code,
        },
    }
    return finish(
        folder,
        flavors,
        requirements=[pinned("torch"), pinned("cloudpickle"), pinned("numpy")],
        input_example=input_example,
        signature=signature,
        predict=lambda data: _wrapper.torch_predict(pytorch_model.eval(), data),
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        extra=extra,
    )


def save_model(
    pytorch_model: Any,
    path: str | Path,
    *,
    loader: str,
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Manifest:
    """Save a ``torch.nn.Module`` as its state dict and the loader that rebuilds it.

    Args:
        pytorch_model: The trained module.
        path: The new model directory.
        loader: ``"package.module:function"``: called without arguments, it returns the
            untrained module whose ``load_state_dict`` takes the saved weights.
        input_example: A DataFrame or numpy array; the signature is inferred from it.
        signature: An explicit signature.
        code_paths: Files or folders copied into ``code/`` (the loader's module).
        pip_requirements: Replace the inferred requirements.
        extra_pip_requirements: Added to them.
        metadata: Free-form metadata stored in ``MLmodel``.
    """
    return _save(
        Path(path),
        pytorch_model,
        loader,
        input_example=input_example,
        signature=signature,
        code_paths=code_paths,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
    )


def log_model(
    pytorch_model: Any,
    name: str = "model",
    *,
    loader: str,
    registered_model_name: str | None = None,
    tags: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Save the module (as :func:`save_model`) and log it as a LoggedModel of the run."""
    return log_saved(
        name,
        lambda folder, extra: _save(folder, pytorch_model, loader, extra=extra, **kwargs),
        registered_model_name=registered_model_name,
        tags=tags,
    )


def _load(folder: Path, manifest: Manifest, allow_pickle: bool | None) -> Any:
    import torch

    conf = manifest.flavor(FLAVOR)
    add_code_path(folder, conf)
    data = folder / str(conf.get("model_data", DATA_DIR))
    loader = conf.get("loader")
    if loader:
        context = _wrapper.TorchStateDictModel(str(loader))
        if not _LOADER.fullmatch(context.loader):
            raise InvalidArgumentError(f"Invalid loader {context.loader!r} in MLmodel.")
        state = str(data / str(conf.get("state_dict", STATE_FILE)))
        from ardea.models._pyfunc_model import ModelContext

        context.load_context(ModelContext(artifacts={"state_dict": state}))
        return context.module
    exported = data / EXPORTED_FILE
    if exported.is_file():  # torch.export's format, MLflow 3.18's default: no pickle
        return torch.export.load(str(exported)).module()
    pickled = data / PICKLED_FILE
    if not pickled.is_file():
        raise InvalidArgumentError(
            "This PyTorch model has no loader and state dict, data/model.pt2 or data/model.pth."
        )
    check_pickle(pickled, allow_pickle)
    module = torch.load(pickled, weights_only=False)
    module.eval()
    return module


def load_model(
    model_uri: str, *, dst_path: str | None = None, allow_pickle: bool | None = None
) -> Any:
    """Load the ``torch.nn.Module`` (state dict and loader; or a pickled module, opted in)."""
    from ardea.models._uri import local_model_dir

    folder = local_model_dir(model_uri, dst_path)
    return _load(folder, Manifest.load(folder), allow_pickle)


def _load_pyfunc(folder: Path, manifest: Manifest, allow_pickle: bool | None) -> PyFuncModel:
    """The module behind the ``python_function`` flavour, called on float32 input."""
    module = _load(folder, manifest, allow_pickle)
    return PyFuncModel(folder, manifest, lambda data: _wrapper.torch_predict(module, data))
