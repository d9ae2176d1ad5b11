"""The registry of built-in scorer classes (a leaf: the built-ins register themselves here)."""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["BUILTINS", "register_builtin"]

BUILTINS: dict[str, type[Any]] = {}
"""Built-in scorer classes by class name (filled by :func:`register_builtin`)."""

_C = TypeVar("_C", bound=type)


def register_builtin(cls: _C) -> _C:
    """Class decorator: make ``cls`` a built-in (listed, and rebuilt from its JSON by name)."""
    BUILTINS[cls.__name__] = cls
    return cls
