"""The Parquet extra's packages: a clear error when ``pip install 'ardea[parquet]'`` is missing."""

from __future__ import annotations

import importlib.util
import sys

from ardea._core.errors import FailedPreconditionError

__all__ = ["require"]


def _installed(name: str) -> bool:
    if name in sys.modules:  # None there: the import is blocked
        return sys.modules[name] is not None
    return importlib.util.find_spec(name) is not None


def require(*modules: str) -> None:
    """Check that ``modules`` (top-level names, e.g. ``"pyarrow"``) can be imported.

    Raises:
        FailedPreconditionError: One is not installed; the message names the extra to install.
    """
    missing = [name for name in modules if not _installed(name)]
    if missing:
        raise FailedPreconditionError(
            f"Traces as Parquet need {' and '.join(missing)}, not installed here: "
            "pip install 'ardea[parquet]'"
        )
