"""The artifact store contract.

Every path is relative to the store's root and goes through :func:`safe_relpath` first, so a
path from a request can never name anything outside the root.
"""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ardea.entities import FileInfo

CHUNK_SIZE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MultipartPart:
    """An uploaded part of a multipart upload."""

    part_number: int
    etag: str


class ArtifactStore(ABC):
    """Put, get, list and delete files under one root; optional multipart uploads."""

    @abstractmethod
    def put(self, path: str, data: bytes | Iterable[bytes]) -> int:
        """Write a file (bytes or a stream of chunks), replacing it; returns its size.

        Readers never see a partly written file.
        """

    def put_file(self, path: str, local_file: str | Path) -> int:
        """Upload a local file."""

        def chunks() -> Iterator[bytes]:
            with open(local_file, "rb") as f:
                while chunk := f.read(CHUNK_SIZE):
                    yield chunk

        return self.put(path, chunks())

    @abstractmethod
    def open(self, path: str) -> Iterator[bytes]:
        """Stream a file's bytes; NotFoundError if absent, InvalidArgumentError for a folder.

        The file is opened (or requested) before this returns, so those errors come from the
        call itself, not from the first iteration.
        """

    def get(self, path: str) -> bytes:
        """A whole file's bytes."""
        return b"".join(self.open(path))

    @abstractmethod
    def size(self, path: str) -> int:
        """A file's size; NotFoundError if absent, InvalidArgumentError for a folder."""

    @abstractmethod
    def list(self, path: str = "") -> list[FileInfo]:
        """Direct children of a folder, sorted by path; paths are relative to the root.

        An absent folder lists as empty.
        """

    @abstractmethod
    def delete(self, path: str) -> None:
        """Delete a file, or a folder and everything under it. Absent paths are not an error."""

    def is_dir(self, path: str) -> bool:
        """True if ``path`` is a folder with something in it."""
        return bool(self.list(path))

    # Multipart uploads. Backends that cannot do them leave these as NotImplemented.
    @property
    def supports_multipart(self) -> bool:
        """Whether this store implements the multipart upload methods."""
        return type(self).create_multipart_upload is not ArtifactStore.create_multipart_upload

    def create_multipart_upload(self, path: str) -> str:
        """Start a multipart upload of ``path``; returns an upload id."""
        raise NotImplementedError

    def upload_part(self, path: str, upload_id: str, part_number: int, data: bytes) -> str:
        """Upload part ``part_number`` (1-based); returns its ETag."""
        raise NotImplementedError

    def complete_multipart_upload(
        self, path: str, upload_id: str, parts: builtins.list[MultipartPart]
    ) -> None:
        """Assemble the parts, in part-number order, into the file."""
        raise NotImplementedError

    def abort_multipart_upload(self, path: str, upload_id: str) -> None:
        """Drop an unfinished multipart upload."""
        raise NotImplementedError

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""
