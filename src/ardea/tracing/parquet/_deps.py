"""The Parquet extra's packages: a clear error when ``pip install 'ardea[parquet]'`` is missing."""

from __future__ import annotations

from ardea._core import extras

__all__ = ["require"]


def require(*modules: str) -> None:
    """Check that ``modules`` (top-level names, e.g. ``"pyarrow"``) can be imported.

    Raises:
        FailedPreconditionError: One is not installed; the message names the extra to install.
    """
    extras.require("parquet", "Traces as Parquet need", *modules)
