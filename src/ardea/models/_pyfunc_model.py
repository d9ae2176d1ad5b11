"""The loaded model every flavour gives: ``predict``, ``predict_stream`` and ``metadata``."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError, NotImplementedFeatureError
from ardea.models._mlmodel import Manifest
from ardea.models._signature import Signature, enforce

__all__ = ["LOADERS", "ModelContext", "PyFuncModel", "load_pyfunc_dir"]

PYFUNC = "python_function"

LOADERS = {
    "mlflow.pyfunc.model": "ardea.models.pyfunc",
    "mlflow.sklearn": "ardea.models.sklearn",
    "mlflow.xgboost": "ardea.models.xgboost",
    "mlflow.lightgbm": "ardea.models.lightgbm",
    "mlflow.pytorch": "ardea.models.pytorch",
}
"""The ``loader_module`` of a ``python_function`` flavour -> the Ardea module whose
``_load_pyfunc(folder, manifest, allow_pickle)`` loads it."""


@dataclass
class ModelContext:
    """What a python model's ``load_context`` and ``predict(context, ...)`` receive.

    Attributes:
        artifacts: Artifact name -> local path of the file saved with the model.
        model_config: The configuration passed at load time.
    """

    artifacts: dict[str, str] = field(default_factory=dict)
    model_config: dict[str, Any] = field(default_factory=dict)


class PyFuncModel:
    """A loaded model: ``predict(data)`` checks ``data`` against the signature first.

    Args:
        folder: The local model directory.
        manifest: Its ``MLmodel``.
        predict_fn: Called with the checked input.
        stream_fn: Called by ``predict_stream``, or None when the model cannot stream.
    """

    def __init__(
        self,
        folder: Path,
        manifest: Manifest,
        predict_fn: Callable[[Any], Any],
        stream_fn: Callable[[Any], Iterator[Any]] | None = None,
    ) -> None:
        self.folder = folder
        self._manifest = manifest
        self._predict = predict_fn
        self._stream = stream_fn
        self.signature = Signature.from_mlmodel(manifest.signature)

    @property
    def metadata(self) -> Manifest:
        """The model's ``MLmodel`` manifest (flavours, signature, example info, ids)."""
        return self._manifest

    def predict(self, data: Any) -> Any:
        """The model's prediction on ``data``.

        Raises:
            InvalidArgumentError: ``data`` does not match the signature (the message names the
                column and the expected type).
        """
        return self._predict(enforce(self.signature, data))

    def predict_stream(self, data: Any) -> Iterator[Any]:
        """The model's streamed prediction (chunks), after the same signature check."""
        if self._stream is None:
            raise NotImplementedFeatureError("This model does not support predict_stream.")
        return self._stream(enforce(self.signature, data))

    def __repr__(self) -> str:
        flavors = ", ".join(sorted(self._manifest.flavors))
        return f"PyFuncModel(folder={str(self.folder)!r}, flavors=[{flavors}])"


def add_code_path(folder: Path, conf: dict[str, Any]) -> None:
    """Put the flavour's copied code folder (``code: code``) on ``sys.path``."""
    code = conf.get("code")
    if code:
        path = str((folder / str(code)).resolve())
        if path not in sys.path:
            sys.path.insert(0, path)


def load_pyfunc_dir(folder: Path, allow_pickle: bool | None = None) -> PyFuncModel:
    """Load a local model directory through its ``python_function`` flavour."""
    manifest = Manifest.load(folder)
    conf = manifest.flavor(PYFUNC)
    # Ardea's own loader first: a pytorch state-dict model loads without its pickled wrapper.
    ours = conf.get("ardea_loader_module")
    loader = str(conf.get("loader_module", ""))
    module_name = ours if ours in LOADERS.values() else LOADERS.get(loader)
    if module_name is None:
        raise InvalidArgumentError(
            f"Ardea cannot load models with loader_module {loader!r} "
            f"(it loads: {', '.join(sorted(LOADERS))})."
        )
    add_code_path(folder, conf)
    module = importlib.import_module(module_name)
    model: PyFuncModel = module._load_pyfunc(folder, manifest, allow_pickle)
    return model
