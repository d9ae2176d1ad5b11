"""Translating obstore failures into Ardea errors (obstore is imported on first use)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ardea._core.errors import InvalidArgumentError, NotFoundError, UpstreamError

__all__ = ["config_errors", "etag_of", "obstore_errors"]


@contextmanager
def obstore_errors(key: str) -> Iterator[None]:
    """Map obstore failures on ``key``: not found -> NotFoundError, bad path -> 400, else 502."""
    import obstore.exceptions as oe

    try:
        yield
    except (FileNotFoundError, oe.NotFoundError) as exc:
        raise NotFoundError(f"Artifact {key!r} not found") from exc
    except (ValueError, oe.InvalidPathError) as exc:
        raise InvalidArgumentError(f"Invalid artifact path {key!r}: {exc}") from exc
    except oe.BaseError as exc:
        raise UpstreamError(f"Object store failed on {key!r}: {exc}") from exc


@contextmanager
def config_errors(uri: str) -> Iterator[None]:
    """A store that cannot be built is a configuration problem of the URI or environment."""
    import obstore.exceptions as oe

    try:
        yield
    except (ValueError, oe.BaseError) as exc:
        raise InvalidArgumentError(f"Cannot open the object store {uri!r}: {exc}") from exc


def etag_of(meta: dict[str, Any]) -> str:
    """The ETag in obstore metadata or a put result, without quotes (``""`` if none)."""
    return str(meta.get("e_tag") or "").strip('"')
