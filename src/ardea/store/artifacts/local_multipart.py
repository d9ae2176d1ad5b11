"""Multipart uploads of :class:`~ardea.store.artifacts.local.LocalArtifactStore`.

Parts are staged in ``<root>/.ardea-mpu/<upload id>/`` (hidden from listings) and
concatenated atomically on completion. Uploads a client started and never completed nor
aborted are removed once untouched for ``paths.MULTIPART_EXPIRY_S`` (checked at most hourly,
when an upload starts).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable, Iterator

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.store.artifacts._chunks import as_chunks as _as_chunks
from ardea.store.artifacts._chunks import file_chunks as _chunks
from ardea.store.artifacts._chunks import md5_hex as _md5
from ardea.store.artifacts.base import MultipartPart
from ardea.store.artifacts.paths import (
    MPU_DIR,
    MULTIPART_EXPIRY_S,
    check_part_number,
    check_upload_id,
    new_upload_id,
    ordered_part_numbers,
    sweep_due,
)

__all__ = ["LocalMultipart"]

_TARGET = "target"


class LocalMultipart:
    """Multipart upload methods; the store provides ``_root``, ``_resolve``, ``_write_atomic``."""

    _root: str

    def _resolve(self, path: str | None, *, allow_root: bool = True) -> tuple[str, str]:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def _write_atomic(self, key: str, full: str, chunks: Iterable[bytes]) -> int:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def expire_multipart_uploads(self, older_than_s: float = MULTIPART_EXPIRY_S) -> int:
        """Remove unfinished uploads whose staging folder is older than ``older_than_s``.

        Returns:
            How many uploads were removed.
        """
        cutoff = time.time() - older_than_s
        removed = 0
        try:
            entries = os.scandir(os.path.join(self._root, MPU_DIR))
        except FileNotFoundError:
            return 0
        with entries:
            for entry in entries:
                try:
                    stale = entry.stat(follow_symlinks=False).st_mtime < cutoff
                except FileNotFoundError:
                    continue
                if stale and entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed += 1
        return removed

    def _staging(self, upload_id: str) -> str:
        return os.path.join(self._root, MPU_DIR, check_upload_id(upload_id))

    def _open_upload(self, path: str, upload_id: str) -> tuple[str, str, str]:
        """(key, full path, staging folder) of a live upload of ``path``."""
        key, full = self._resolve(path, allow_root=False)
        staging = self._staging(upload_id)
        try:
            with open(os.path.join(staging, _TARGET), encoding="utf-8") as f:
                target = f.read()
        except FileNotFoundError as exc:
            raise NotFoundError(f"Multipart upload {upload_id!r} not found") from exc
        if target != key:
            raise InvalidArgumentError(
                f"Multipart upload {upload_id!r} belongs to another path, not {key!r}"
            )
        return key, full, staging

    def create_multipart_upload(self, path: str) -> str:
        """Start a multipart upload of ``path``.

        Args:
            path: Relative path of the file to create.

        Returns:
            A random upload id.

        Raises:
            InvalidArgumentError: Unsafe path.
        """
        key, _ = self._resolve(path, allow_root=False)
        if sweep_due(self):
            self.expire_multipart_uploads()
        upload_id = new_upload_id()
        staging = self._staging(upload_id)
        os.makedirs(staging)
        with open(os.path.join(staging, _TARGET), "w", encoding="utf-8") as f:
            f.write(key)
        return upload_id

    def upload_part(self, path: str, upload_id: str, part_number: int, data: bytes) -> str:
        """Store one part (re-uploading a part number replaces it).

        Args:
            path: The path given to :meth:`create_multipart_upload`.
            upload_id: The id it returned.
            part_number: 1 to 10000.
            data: The part's bytes.

        Returns:
            The part's ETag (MD5 hex of its bytes).

        Raises:
            NotFoundError: Unknown (or finished) upload.
            InvalidArgumentError: Bad id, part number or path.
        """
        check_part_number(part_number)
        _, _, staging = self._open_upload(path, upload_id)
        part = os.path.join(staging, f"part-{part_number:05d}")
        chunks = list(_as_chunks(data))
        self._write_atomic(f"part {part_number}", part, chunks)
        return _md5(chunks)

    def complete_multipart_upload(
        self, path: str, upload_id: str, parts: list[MultipartPart]
    ) -> None:
        """Concatenate the parts, in part-number order, into the file, atomically.

        Args:
            path: The path given to :meth:`create_multipart_upload`.
            upload_id: The id it returned.
            parts: Every part to include, with the ETag :meth:`upload_part` returned.

        Raises:
            NotFoundError: Unknown (or finished) upload.
            InvalidArgumentError: No parts, duplicate or missing parts, or an ETag mismatch.
        """
        key, full, staging = self._open_upload(path, upload_id)
        ordered_part_numbers(parts)
        files: list[str] = []
        for p in sorted(parts, key=lambda p: p.part_number):
            file = os.path.join(staging, f"part-{p.part_number:05d}")
            files.append(file)
            try:
                etag = _md5(_chunks(open(file, "rb")))  # noqa: SIM115 - closed by _chunks
            except FileNotFoundError as exc:
                raise InvalidArgumentError(f"Part {p.part_number} was not uploaded") from exc
            if p.etag and p.etag.strip('"') != etag:
                raise InvalidArgumentError(f"ETag mismatch for part {p.part_number}")

        def concatenated() -> Iterator[bytes]:
            for file in files:
                yield from _chunks(open(file, "rb"))  # noqa: SIM115 - closed by _chunks

        self._write_atomic(key, full, concatenated())
        shutil.rmtree(staging, ignore_errors=True)

    def abort_multipart_upload(self, path: str, upload_id: str) -> None:
        """Drop an unfinished upload and its parts; an unknown upload is not an error.

        Args:
            path: The path given to :meth:`create_multipart_upload`.
            upload_id: The id it returned.

        Raises:
            InvalidArgumentError: Bad id or path.
        """
        try:
            _, _, staging = self._open_upload(path, upload_id)
        except NotFoundError:
            return
        shutil.rmtree(staging, ignore_errors=True)
