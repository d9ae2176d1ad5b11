"""What every flavour's ``save_model`` shares: the folder, code paths, example, signature."""

from __future__ import annotations

import platform
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError
from ardea.models._files import save_example, write_environment
from ardea.models._mlmodel import Manifest
from ardea.models._signature import Signature, infer_schema

__all__ = ["CODE_DIR", "SaveOptions", "finish", "new_folder"]

CODE_DIR = "code"

SaveOptions = dict[str, Any]


def new_folder(path: str | Path) -> Path:
    """Create the model directory; it must not exist already (or be an empty folder)."""
    folder = Path(path)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise AlreadyExistsError(f"Model path {str(folder)!r} already exists and is not empty.")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def copy_code(folder: Path, code_paths: Sequence[str | Path] | None) -> str | None:
    """Copy files and folders into ``code/``; returns ``"code"`` or None when none given."""
    if not code_paths:
        return None
    target = folder / CODE_DIR
    target.mkdir()
    for item in map(Path, code_paths):
        if item.is_dir():
            shutil.copytree(item, target / item.name)
        elif item.is_file():
            shutil.copy2(item, target / item.name)
        else:
            raise InvalidArgumentError(f"Code path {str(item)!r} does not exist.")
    return CODE_DIR


def _signature(
    signature: Signature | None, example: Any, predict: Callable[[Any], Any] | None
) -> Signature | None:
    if signature is not None or example is None:
        return signature
    inputs = infer_schema(example)
    outputs = None
    if predict is not None:
        try:
            outputs = infer_schema(predict(example))
        except Exception:  # the output schema is optional; MLflow skips it too
            outputs = None
    return Signature(inputs=inputs, outputs=outputs)


def finish(
    folder: Path,
    flavors: dict[str, dict[str, Any]],
    *,
    requirements: Sequence[str],
    input_example: Any = None,
    signature: Signature | None = None,
    predict: Callable[[Any], Any] | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    metadata: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Manifest:
    """Write the environment files, the example and ``MLmodel``; returns the manifest.

    ``flavors["python_function"]`` gets ``env`` and ``python_version`` here.
    """
    reqs = list(pip_requirements) if pip_requirements is not None else list(requirements)
    env = write_environment(folder, reqs, extra_pip_requirements or ())
    pyfunc = flavors.get("python_function")
    if pyfunc is not None:
        pyfunc.setdefault("env", env)
        pyfunc.setdefault("python_version", platform.python_version())
    manifest = Manifest(flavors=flavors, extra=dict(extra or {}))
    sig = _signature(signature, input_example, predict)
    if sig is not None:
        manifest.signature = sig.to_mlmodel()
    if input_example is not None:
        manifest.saved_input_example_info = save_example(folder, input_example)
    if metadata:
        manifest.extra["metadata"] = dict(metadata)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    manifest.extra.setdefault("model_size_bytes", size)
    manifest.save(folder)
    return manifest
