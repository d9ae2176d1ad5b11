"""Confining request paths to an artifact root."""

from __future__ import annotations

import posixpath

from ardea._core.errors import InvalidArgumentError


def safe_relpath(path: str | None, *, allow_root: bool = True) -> str:
    """Normalize a relative artifact path, rejecting anything that could leave the root.

    Rejected: absolute paths, drive letters, backslashes, NUL and other control characters,
    ``..`` segments (after normalization too) and ``~`` home references. Returns the path
    without leading ``./`` or trailing ``/``; ``""`` is the root itself.

    Args:
        path: The path from a request or a caller.
        allow_root: Whether ``""`` (the root) is acceptable.

    Raises:
        InvalidArgumentError: The path is not a safe relative path.
    """
    raw = path or ""
    if any(ord(c) < 32 or c == "\x7f" for c in raw) or "\\" in raw:
        raise InvalidArgumentError(f"Invalid artifact path: {raw!r}")
    if raw.startswith("/") or raw.startswith("~") or (len(raw) > 1 and raw[1] == ":"):
        raise InvalidArgumentError(f"Artifact path must be relative: {raw!r}")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise InvalidArgumentError(f"Artifact path must not contain '..': {raw!r}")
    norm = posixpath.normpath("/".join(parts)) if parts else ""
    norm = "" if norm == "." else norm
    if not norm and not allow_root:
        raise InvalidArgumentError("An artifact path naming a file is required.")
    return norm
