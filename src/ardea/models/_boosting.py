"""What the XGBoost and LightGBM flavours share: flavour config, class lookup, the save path."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.models._log import ModelInfo, log_saved
from ardea.models._mlmodel import Manifest
from ardea.models._save import copy_code, finish, new_folder
from ardea.models._signature import Signature

__all__ = ["class_name", "import_class", "log_with", "save_with"]

Writer = Callable[[Path], dict[str, Any]]
"""Writes the model file into the folder; returns the flavour's own config keys."""


def class_name(obj: Any) -> str:
    """``module.QualName`` of an object's class, as MLflow records ``model_class``."""
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def import_class(name: str, package: str) -> Any:
    """The class named in ``MLmodel``, refused unless it lives in ``package``.

    The name comes from the model directory: importing anything else would let a crafted
    manifest run import-time code of any installed module.
    """
    module_name, _, attr = name.rpartition(".")
    if not (module_name == package or module_name.startswith(package + ".")):
        raise InvalidArgumentError(f"model_class {name!r} is not a {package} class.")
    return getattr(importlib.import_module(module_name), attr)


def save_with(
    path: Path,
    model: Any,
    *,
    flavor: str,
    loader: str,
    write: Writer,
    requirements: Sequence[str],
    predict: Callable[[Any], Any],
    input_example: Any = None,
    signature: Signature | None = None,
    code_paths: Sequence[str | Path] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Manifest:
    """Create the folder, write the model file, then the shared files and ``MLmodel``."""
    folder = new_folder(path)
    code = copy_code(folder, code_paths)
    conf = write(folder)
    flavors = {
        "python_function": {"loader_module": loader, "data": conf["data"], "code": code},
        flavor: {**conf, "code": code},
    }
    return finish(
        folder,
        flavors,
        requirements=requirements,
        input_example=input_example,
        signature=signature,
        predict=predict,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        extra=extra,
    )


def log_with(
    save: Callable[[Path, dict[str, Any]], Manifest],
    name: str,
    registered_model_name: str | None,
    tags: Mapping[str, Any] | None,
) -> ModelInfo:
    """``log_model`` over a flavour's ``_save``."""
    return log_saved(name, save, registered_model_name=registered_model_name, tags=tags)
