"""An artifact store opened on first use.

A database backend's artifacts destination (``./ardea-data/artifacts``, an S3 prefix, ...)
is only opened when something reads or writes an artifact: opening a backend to log a metric
creates no folder and makes no connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator

from ardea.entities import FileInfo
from ardea.store.artifacts.base import ArtifactStore, MultipartPart

__all__ = ["LazyArtifactStore"]


class LazyArtifactStore(ArtifactStore):
    """Delegates every call to the store ``opener()`` returns, called once, on first use.

    Args:
        opener: Opens the real store.
    """

    def __init__(self, opener: Callable[[], ArtifactStore]) -> None:
        self._opener = opener
        self._store: ArtifactStore | None = None
        self._lock = threading.Lock()

    @property
    def store(self) -> ArtifactStore:
        """The real store (opened now if it was not yet)."""
        store = self._store
        if store is None:
            with self._lock:
                if self._store is None:
                    self._store = self._opener()
                store = self._store
        return store

    def put(self, path: str, data: bytes | Iterable[bytes]) -> int:
        """Write a file (see :meth:`ArtifactStore.put`)."""
        return self.store.put(path, data)

    def open(self, path: str) -> Iterator[bytes]:
        """Stream a file (see :meth:`ArtifactStore.open`)."""
        return self.store.open(path)

    def size(self, path: str) -> int:
        """A file's size."""
        return self.store.size(path)

    def delete(self, path: str) -> None:
        """Delete a file or folder."""
        self.store.delete(path)

    @property
    def supports_multipart(self) -> bool:
        """Whether the real store implements multipart uploads."""
        return self.store.supports_multipart

    def create_multipart_upload(self, path: str) -> str:
        """Start a multipart upload."""
        return self.store.create_multipart_upload(path)

    def upload_part(self, path: str, upload_id: str, part_number: int, data: bytes) -> str:
        """Upload one part."""
        return self.store.upload_part(path, upload_id, part_number, data)

    def complete_multipart_upload(
        self, path: str, upload_id: str, parts: list[MultipartPart]
    ) -> None:
        """Assemble the parts."""
        self.store.complete_multipart_upload(path, upload_id, parts)

    def abort_multipart_upload(self, path: str, upload_id: str) -> None:
        """Drop an unfinished multipart upload."""
        self.store.abort_multipart_upload(path, upload_id)

    def close(self) -> None:
        """Close the real store if it was opened."""
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()

    def list(self, path: str = "") -> list[FileInfo]:
        """Direct children of a folder."""
        return self.store.list(path)
