"""Artifact listing entries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One entry of an artifact listing.

    Attributes:
        path: Path relative to the listed root (``a/b.txt``), never absolute.
        is_dir: True for a folder.
        file_size: Size in bytes; None for folders.
    """

    path: str
    is_dir: bool
    file_size: int | None = None
