"""Artifacts proxied by a server: ``/api/2.0/mlflow-artifacts/artifacts/<path>``."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import FileInfo
from ardea.store.artifacts.base import CHUNK_SIZE, ArtifactStore
from ardea.store.artifacts.paths import safe_relpath
from ardea.store.rest.http import RestClient

__all__ = ["HttpArtifactStore"]

_ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"


class _Counter:
    """Counts the bytes of a chunk stream as it is sent."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks
        self.total = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.total += len(chunk)
            yield chunk


class HttpArtifactStore(ArtifactStore):
    """An :class:`ArtifactStore` rooted at ``root`` below a server's proxied artifacts.

    Args:
        base_url: The server's ``http(s)://host:port`` URL.
        root: Path below the server's artifact destination, e.g. ``1/<run_id>/artifacts``.
        rest: Optional :class:`RestClient` to share (its connection pool and auth).
    """

    def __init__(self, base_url: str, root: str = "", *, rest: RestClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.root = safe_relpath(root)
        self._own_rest = rest is None
        self._rest = rest or RestClient(self.base_url)

    def _full(self, path: str, *, allow_root: bool = True) -> str:
        rel = safe_relpath(path, allow_root=allow_root)
        return posixpath.join(self.root, rel) if rel else self.root

    def _url(self, path: str) -> str:
        return f"{_ARTIFACTS}/{quote(self._full(path, allow_root=False), safe='/')}"

    def put(self, path: str, data: bytes | Iterable[bytes]) -> int:
        """Upload a file (bytes or chunks); returns the number of bytes sent."""
        url = self._url(path)
        if isinstance(data, (bytes, bytearray)):
            payload = bytes(data)
            self._rest.request("PUT", url, content=payload, headers=_octet())
            return len(payload)
        counter = _Counter(data)
        self._rest.request("PUT", url, content=iter(counter), headers=_octet())
        return counter.total

    def put_file(self, path: str, local_file: str | Path) -> int:
        """Stream a local file to the server; the file is re-read if the upload is retried."""
        url = self._url(path)
        size = Path(local_file).stat().st_size

        def chunks() -> Iterator[bytes]:
            with open(local_file, "rb") as f:
                while chunk := f.read(CHUNK_SIZE):
                    yield chunk

        headers = {**_octet(), "Content-Length": str(size)}
        self._rest.request("PUT", url, content=chunks, headers=headers)
        return size

    def open(self, path: str) -> Iterator[bytes]:
        """Stream a file's bytes from the server."""
        url = self._url(path)
        ctx = self._rest.stream("GET", url)

        def gen() -> Iterator[bytes]:
            with ctx as response:
                yield from response.iter_bytes(CHUNK_SIZE)

        return gen()

    def get(self, path: str) -> bytes:
        """A whole file's bytes."""
        return self._rest.request("GET", self._url(path)).content

    def size(self, path: str) -> int:
        """A file's size, from a listing of its folder."""
        full = safe_relpath(path, allow_root=False)
        parent, name = posixpath.split(full)
        for info in self.list(parent):
            if posixpath.basename(info.path) == name:
                if info.is_dir:
                    raise InvalidArgumentError(f"Artifact {path!r} is a folder.")
                return int(info.file_size or 0)
        raise NotFoundError(f"Artifact {path!r} not found.")

    def list(self, path: str = "") -> list[FileInfo]:
        """Direct children of a folder; the server answers basenames, re-joined here."""
        rel = safe_relpath(path)
        out = self._rest.call("GET", _ARTIFACTS, params={"path": self._full(rel)})
        infos = []
        for item in out.get("files") or []:
            name = posixpath.basename(str(item["path"]).rstrip("/"))
            size = item.get("file_size")
            is_dir = bool(item.get("is_dir", False))
            infos.append(
                FileInfo(
                    posixpath.join(rel, name) if rel else name,
                    is_dir,
                    None if is_dir or size is None else int(size),
                )
            )
        return sorted(infos, key=lambda f: f.path)

    def delete(self, path: str) -> None:
        """Delete a file or folder; absent paths are not an error."""
        try:
            self._rest.call("DELETE", self._url(path))
        except NotFoundError:
            return

    def close(self) -> None:
        """Close the HTTP client if this store created it."""
        if self._own_rest:
            self._rest.close()


def _octet() -> dict[str, str]:
    return {"Content-Type": "application/octet-stream"}
