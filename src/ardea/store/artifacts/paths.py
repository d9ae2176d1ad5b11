r"""Confining request paths to an artifact root.

Every artifact path from a request or a caller goes through :func:`safe_relpath` (or
:func:`artifact_key`, which also refuses Ardea's reserved names) before a backend touches
storage. Percent-escapes and look-alike Unicode characters are *not* decoded: ``%2e%2e`` and
``\u2024\u2024`` (one-dot leaders) are ordinary file names, confined to the root like any other.
"""

from __future__ import annotations

import posixpath
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Sequence
from typing import Protocol

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "INVALID_PATH",
    "MAX_PART_NUMBER",
    "MAX_PATH_BYTES",
    "MAX_SEGMENT_BYTES",
    "MPU_DIR",
    "MULTIPART_EXPIRY_S",
    "RESERVED_PREFIX",
    "artifact_key",
    "check_part_number",
    "check_upload_id",
    "new_upload_id",
    "ordered_part_numbers",
    "safe_relpath",
    "sweep_due",
]

INVALID_PATH = "Invalid path"
"""MLflow's whole message for a path that could leave its root (its clients and tests match
it exactly)."""

MAX_PATH_BYTES = 1024
"""Longest accepted path, in UTF-8 bytes (S3's key limit)."""

MAX_SEGMENT_BYTES = 255
"""Longest accepted path segment, in UTF-8 bytes (the usual file-name limit)."""

RESERVED_PREFIX = ".ardea-"
"""Path segments starting with this are Ardea's own (staging, temp files); callers may not use
them."""

MPU_DIR = ".ardea-mpu"
"""Top-level folder of a store where unfinished multipart uploads are staged; never listed."""

MULTIPART_EXPIRY_S = 7 * 24 * 3600
"""Unfinished multipart uploads untouched this long (seconds) are removed by the stores."""

_SWEEP_EVERY_S = 3600.0
_next_sweep: dict[int, float] = {}
_sweep_lock = threading.Lock()

MAX_PART_NUMBER = 10_000
"""Highest multipart part number (S3's limit)."""

_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


def sweep_due(store: object) -> bool:
    """True when ``store`` should look for expired multipart uploads (at most hourly each)."""
    now = time.monotonic()
    with _sweep_lock:
        if now < _next_sweep.get(id(store), 0.0):
            return False
        _next_sweep[id(store)] = now + _SWEEP_EVERY_S
    return True


def _bad_char(c: str) -> bool:
    # C0/C1 controls and the Unicode line/paragraph separators.
    return unicodedata.category(c) == "Cc" or c in ("\u2028", "\u2029")


def safe_relpath(path: str | None, *, allow_root: bool = True) -> str:
    """Normalize a relative artifact path, rejecting anything that could leave the root.

    Rejected, with MLflow's message :data:`INVALID_PATH`: absolute paths, drive letters,
    backslashes, NUL and other control characters, ``..`` segments (after normalization too)
    and ``~`` home references; with their own message, paths longer than
    :data:`MAX_PATH_BYTES` (or with a segment longer than :data:`MAX_SEGMENT_BYTES`). Returns
    the path without leading ``./``, empty segments or a trailing ``/``; ``""`` is the root.

    Args:
        path: The path from a request or a caller.
        allow_root: Whether ``""`` (the root) is acceptable.

    Returns:
        The normalized relative POSIX path.

    Raises:
        InvalidArgumentError: The path is not a safe relative path.
    """
    raw = path or ""
    if not isinstance(raw, str):
        raise InvalidArgumentError(f"Artifact path must be a string, got {type(raw).__name__}")
    if any(_bad_char(c) for c in raw) or "\\" in raw:
        raise InvalidArgumentError(INVALID_PATH)
    if raw.startswith("/") or raw.startswith("~") or (len(raw) > 1 and raw[1] == ":"):
        raise InvalidArgumentError(INVALID_PATH)
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise InvalidArgumentError(INVALID_PATH)
    norm = posixpath.normpath("/".join(parts)) if parts else ""
    norm = "" if norm == "." else norm
    if not norm and not allow_root:
        raise InvalidArgumentError("An artifact path naming a file is required.")
    if len(norm.encode("utf-8")) > MAX_PATH_BYTES or any(
        len(p.encode("utf-8")) > MAX_SEGMENT_BYTES for p in parts
    ):
        raise InvalidArgumentError(
            f"Artifact path too long (at most {MAX_PATH_BYTES} bytes, "
            f"{MAX_SEGMENT_BYTES} per segment): {raw[:80]!r}..."
        )
    return norm


def artifact_key(path: str | None, *, allow_root: bool = True) -> str:
    """:func:`safe_relpath`, also refusing segments reserved for Ardea (``.ardea-*``).

    Args:
        path: The path from a request or a caller.
        allow_root: Whether ``""`` (the root) is acceptable.

    Returns:
        The normalized relative POSIX path.

    Raises:
        InvalidArgumentError: The path is unsafe or uses a reserved name.
    """
    norm = safe_relpath(path, allow_root=allow_root)
    if any(p.startswith(RESERVED_PREFIX) for p in norm.split("/")):
        raise InvalidArgumentError(
            f"Artifact path segments starting with {RESERVED_PREFIX!r} are reserved: {path!r}"
        )
    return norm


def new_upload_id() -> str:
    """A fresh random multipart upload id (32 lowercase hex characters)."""
    return secrets.token_hex(16)


def check_upload_id(upload_id: str) -> str:
    """Validate a multipart upload id as one :func:`new_upload_id` could have made.

    Args:
        upload_id: The id from a request.

    Returns:
        The id, unchanged.

    Raises:
        InvalidArgumentError: The id is malformed (so it cannot smuggle a path).
    """
    if not isinstance(upload_id, str) or not _UPLOAD_ID.fullmatch(upload_id):
        raise InvalidArgumentError(f"Invalid multipart upload id: {upload_id!r}")
    return upload_id


def check_part_number(part_number: int) -> int:
    """Validate a 1-based multipart part number (at most :data:`MAX_PART_NUMBER`).

    Args:
        part_number: The part number from a request.

    Returns:
        The part number, unchanged.

    Raises:
        InvalidArgumentError: It is not an integer between 1 and :data:`MAX_PART_NUMBER`.
    """
    if (
        not isinstance(part_number, int)
        or isinstance(part_number, bool)
        or not 1 <= part_number <= MAX_PART_NUMBER
    ):
        raise InvalidArgumentError(
            f"Part number must be an integer from 1 to {MAX_PART_NUMBER}, got {part_number!r}"
        )
    return part_number


class _NumberedPart(Protocol):
    @property
    def part_number(self) -> int: ...


def ordered_part_numbers(parts: Sequence[_NumberedPart]) -> list[int]:
    """The part numbers of a multipart completion in ascending order, checked.

    Args:
        parts: The parts named by the completion request.

    Returns:
        Their part numbers, sorted.

    Raises:
        InvalidArgumentError: No parts, a bad part number, or a part named twice.
    """
    if not parts:
        raise InvalidArgumentError("A multipart upload needs at least one part")
    numbers = sorted(check_part_number(p.part_number) for p in parts)
    if len(set(numbers)) != len(numbers):
        raise InvalidArgumentError("Duplicate part numbers in multipart completion")
    return numbers
