"""Byte-chunk helpers shared by the local artifact store modules."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from ardea._core.errors import InvalidArgumentError
from ardea.store.artifacts.base import CHUNK_SIZE

__all__ = ["as_chunks", "file_chunks", "md5_hex"]


def file_chunks(f: BinaryIO) -> Iterator[bytes]:
    """The bytes of ``f`` in :data:`CHUNK_SIZE` pieces; closes ``f`` when done."""
    with f:
        while chunk := f.read(CHUNK_SIZE):
            yield chunk


def as_chunks(data: bytes | Iterable[bytes]) -> Iterable[bytes]:
    """``data`` as an iterable of byte chunks (bytes-like values become one chunk)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return (bytes(data),)
    if isinstance(data, str):
        raise InvalidArgumentError("Artifact data must be bytes, not str")
    return data


def md5_hex(chunks: Iterable[bytes]) -> str:
    """MD5 hex digest of the chunks (an ETag, not a security measure)."""
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()
