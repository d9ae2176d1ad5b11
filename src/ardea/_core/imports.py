"""Import an object named by ``module:attr`` or ``path/to/file.py:attr`` (a user's app)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = ["load_object"]


def load_object(spec: str, kind: str = "object") -> Any:
    """The object named by ``module:attr`` or ``path/to/file.py:attr``.

    The working directory is put on ``sys.path`` first, so a module beside the caller
    imports; a ``.py`` path is loaded as a module named after the file.

    Args:
        spec: ``module:attr`` or ``path/to/file.py:attr``.
        kind: What the attribute is, for the error messages (``function``, ``agent``).

    Raises:
        InvalidArgumentError: The spec is malformed, or the module or attribute is missing.
    """
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise InvalidArgumentError(f"{spec!r} is not MODULE:{kind.upper()}")
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            loader = importlib.util.spec_from_file_location(path.stem, path)
            if loader is None or loader.loader is None or not path.is_file():
                raise InvalidArgumentError(f"no Python file at {path}")
            module = importlib.util.module_from_spec(loader)
            sys.modules.setdefault(path.stem, module)
            loader.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InvalidArgumentError(f"cannot import {module_name}: {exc}") from None
    if not hasattr(module, attr):
        raise InvalidArgumentError(f"{module_name} has no {kind} {attr!r}")
    return getattr(module, attr)
