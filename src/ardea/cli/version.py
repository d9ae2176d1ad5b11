"""The installed Ardea version."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["ardea_version"]


def ardea_version() -> str:
    """Ardea's version from the installed distribution (``0+unknown`` when not installed)."""
    try:
        return version("ardea")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "0+unknown"
