"""Artifacts in a local folder, confined to it even in the presence of symlinks."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import FileInfo
from ardea.store.artifacts._chunks import as_chunks as _as_chunks
from ardea.store.artifacts._chunks import file_chunks as _chunks
from ardea.store.artifacts.base import ArtifactStore
from ardea.store.artifacts.local_multipart import LocalMultipart
from ardea.store.artifacts.paths import (
    RESERVED_PREFIX,
    artifact_key,
    new_upload_id,
)

__all__ = ["LocalArtifactStore"]

_TMP_PREFIX = RESERVED_PREFIX + "tmp-"
_DEL_PREFIX = RESERVED_PREFIX + "del-"
_TARGET = "target"
# OS errors that mean "this path cannot be a file here" (the caller's fault, so a 400).
_BAD_PATH_ERRNOS = {errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ELOOP}


@contextmanager
def _path_errors(path: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if exc.errno in _BAD_PATH_ERRNOS:
            raise InvalidArgumentError(
                f"Artifact path {path!r} cannot be used: {exc.strerror}"
            ) from exc
        raise


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


class LocalArtifactStore(LocalMultipart, ArtifactStore):
    """Artifacts stored as files under one local folder.

    Every path goes through :func:`~ardea.store.artifacts.paths.artifact_key`, and then the
    real path (symlinks followed) must stay inside the real root, for reads, writes, lists and
    deletes alike; a symlink pointing outside the root is refused with
    :class:`~ardea._core.errors.InvalidArgumentError` (and skipped in listings). Writes go to
    a temporary file in the destination folder and are moved into place with ``os.replace``,
    so readers never see a partial file. Multipart uploads are staged under
    ``<root>/.ardea-mpu/<upload_id>/`` (never listed) and assembled atomically on completion.

    The symlink check runs before each operation; a local user who can swap a folder for a
    symlink between the check and the use could still race it. Artifact roots must not be
    writable by untrusted local users.

    Args:
        root: The folder holding the artifacts; created if absent.
    """

    def __init__(self, root: str | Path) -> None:
        os.makedirs(root, exist_ok=True)
        self._root = os.path.realpath(os.fspath(root))
        self._mode = _file_mode()

    @property
    def root(self) -> Path:
        """The real (symlink-free) path of the store's root folder."""
        return Path(self._root)

    def __repr__(self) -> str:
        return f"LocalArtifactStore({self._root!r})"

    # -- confinement -------------------------------------------------------------------
    def _inside(self, real: str) -> bool:
        return real == self._root or real.startswith(self._root + os.sep)

    def _resolve(self, path: str | None, *, allow_root: bool = True) -> tuple[str, str]:
        """The checked key and absolute path of ``path``; refuses escapes through symlinks."""
        key = artifact_key(path, allow_root=allow_root)
        full = os.path.join(self._root, *key.split("/")) if key else self._root
        if not self._inside(os.path.realpath(full)):
            raise InvalidArgumentError(f"Artifact path {path!r} resolves outside the store root")
        return key, full

    # -- files -------------------------------------------------------------------------
    def _write_atomic(self, key: str, full: str, chunks: Iterable[bytes]) -> int:
        size = 0
        with self._atomic_file(key, full) as f:
            for chunk in chunks:
                f.write(chunk)
                size += len(chunk)
        return size

    @contextmanager
    def _atomic_file(self, key: str, full: str) -> Iterator[BinaryIO]:
        parent = os.path.dirname(full)
        with _path_errors(key):
            os.makedirs(parent, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=_TMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                yield f
            os.chmod(tmp, self._mode)
            with _path_errors(key):
                os.replace(tmp, full)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise

    def writer(self, path: str) -> AbstractContextManager[BinaryIO]:
        """An open file that atomically becomes ``path`` when the block exits without error.

        For writers that produce bytes piecemeal (the server streaming a request body): the
        bytes go straight to a temporary file in the destination folder, with no second copy.
        If the block raises, the temporary file is removed and ``path`` is untouched.

        Raises:
            InvalidArgumentError: Unsafe path, or a folder is in the way.
        """
        key, full = self._resolve(path, allow_root=False)
        return self._atomic_file(key, full)

    def put(self, path: str, data: bytes | Iterable[bytes]) -> int:
        """Write a file atomically (temp file in the same folder, then ``os.replace``).

        Args:
            path: Relative path of the file.
            data: The bytes, or an iterable of byte chunks (streamed, never held whole).

        Returns:
            The number of bytes written.

        Raises:
            InvalidArgumentError: Unsafe path, or a folder is in the way.
        """
        key, full = self._resolve(path, allow_root=False)
        return self._write_atomic(key, full, _as_chunks(data))

    def open(self, path: str) -> Iterator[bytes]:
        """Stream a file in 1 MiB chunks; the file is opened before this returns.

        Args:
            path: Relative path of the file.

        Returns:
            An iterator of byte chunks.

        Raises:
            NotFoundError: No such file.
            InvalidArgumentError: Unsafe path, or the path is a folder.
        """
        key, full = self._resolve(path)
        try:
            f = open(full, "rb")  # noqa: SIM115 - closed by _chunks
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise NotFoundError(f"Artifact {key!r} not found") from exc
        except IsADirectoryError as exc:
            raise InvalidArgumentError(f"Artifact {key!r} is a folder, not a file") from exc
        return _chunks(f)

    def size(self, path: str) -> int:
        """A file's size in bytes.

        Args:
            path: Relative path of the file.

        Returns:
            The size in bytes.

        Raises:
            NotFoundError: No such file.
            InvalidArgumentError: Unsafe path, or the path is a folder.
        """
        key, full = self._resolve(path)
        try:
            st = os.stat(full)
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise NotFoundError(f"Artifact {key!r} not found") from exc
        if os.path.isdir(full):
            raise InvalidArgumentError(f"Artifact {key!r} is a folder, not a file")
        return st.st_size

    def list(self, path: str = "") -> list[FileInfo]:
        """Direct children of a folder, sorted by path, relative to the store root.

        Ardea's own entries (``.ardea-*``) and symlinks leading outside the root are left
        out. An absent folder, or a file, lists as empty.

        Args:
            path: Relative path of the folder; ``""`` is the root.

        Returns:
            One :class:`~ardea.entities.FileInfo` per child.

        Raises:
            InvalidArgumentError: Unsafe path.
        """
        key, full = self._resolve(path)
        try:
            entries = list(os.scandir(full))
        except (FileNotFoundError, NotADirectoryError):
            return []
        infos: list[FileInfo] = []
        for entry in entries:
            if entry.name.startswith(RESERVED_PREFIX):
                continue
            if entry.is_symlink() and not self._inside(os.path.realpath(entry.path)):
                continue
            rel = f"{key}/{entry.name}" if key else entry.name
            try:
                if entry.is_dir():
                    infos.append(FileInfo(path=rel, is_dir=True))
                else:
                    infos.append(FileInfo(path=rel, is_dir=False, file_size=entry.stat().st_size))
            except FileNotFoundError:  # deleted while listing, or a dangling symlink
                continue
        infos.sort(key=lambda i: i.path)
        return infos

    def delete(self, path: str) -> None:
        """Delete a file, or a folder with everything under it; absent paths are fine.

        A folder is first renamed to a hidden name, so it disappears at once for readers.
        ``""`` empties the whole store (including unfinished multipart uploads).

        Args:
            path: Relative path of the file or folder.

        Raises:
            InvalidArgumentError: Unsafe path.
        """
        key, full = self._resolve(path)
        if not key:
            for entry in os.scandir(self._root):
                self._remove(entry.path)
            return
        self._remove(full)

    def _remove(self, full: str) -> None:
        if os.path.islink(full) or os.path.isfile(full):
            with suppress(FileNotFoundError):
                os.unlink(full)
        elif os.path.isdir(full):
            doomed = os.path.join(os.path.dirname(full), _DEL_PREFIX + new_upload_id())
            try:
                os.rename(full, doomed)
            except FileNotFoundError:
                return
            shutil.rmtree(doomed, ignore_errors=True)
