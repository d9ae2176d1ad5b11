"""Multipart uploads for object stores, staged as ordinary objects.

obstore (0.12) does not expose S3's part-level multipart API to Python (only whole-object
uploads that use multipart internally), so parts are staged as ordinary objects under
``<prefix>/.ardea-mpu/<upload_id>/`` next to a ``target`` object naming the destination path.
On completion the parts are streamed in part order through this process into one object,
written with obstore's buffered writer (itself a multipart upload for large objects, so the
result appears atomically), and the staging objects are deleted. This works the same on
every backend obstore supports; the cost is that completion copies the bytes once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.store.artifacts.base import CHUNK_SIZE, MultipartPart
from ardea.store.artifacts.obstore_errors import etag_of, obstore_errors
from ardea.store.artifacts.paths import (
    MPU_DIR,
    MULTIPART_EXPIRY_S,
    artifact_key,
    check_part_number,
    check_upload_id,
    new_upload_id,
    ordered_part_numbers,
    sweep_due,
)

if TYPE_CHECKING:
    from obstore.store import ObjectStore

__all__ = ["ObjectMultipartMixin"]

_TARGET = "target"


class ObjectMultipartMixin:
    """The multipart half of :class:`~ardea.store.artifacts.object_store.ObjectArtifactStore`."""

    _store: ObjectStore

    def _put(self, key: str, data: bytes | Iterable[bytes]) -> int:
        raise NotImplementedError

    def _delete_tree(self, key: str) -> None:
        raise NotImplementedError

    def _staging(self, upload_id: str) -> str:
        return f"{MPU_DIR}/{check_upload_id(upload_id)}"

    def _open_upload(self, path: str, upload_id: str) -> tuple[str, str]:
        """(key, staging prefix) of a live upload of ``path``."""
        import obstore

        key = artifact_key(path, allow_root=False)
        staging = self._staging(upload_id)
        try:
            with obstore_errors(staging):
                target = bytes(obstore.get(self._store, f"{staging}/{_TARGET}").bytes())
        except NotFoundError as exc:
            raise NotFoundError(f"Multipart upload {upload_id!r} not found") from exc
        if target.decode("utf-8") != key:
            raise InvalidArgumentError(
                f"Multipart upload {upload_id!r} belongs to another path, not {key!r}"
            )
        return key, staging

    def expire_multipart_uploads(self, older_than_s: float = MULTIPART_EXPIRY_S) -> int:
        """Delete unfinished uploads none of whose staging objects changed in ``older_than_s``.

        Returns:
            How many uploads were removed.
        """
        import obstore

        cutoff = datetime.now(timezone.utc) - timedelta(seconds=older_than_s)
        newest: dict[str, datetime] = {}
        with obstore_errors(MPU_DIR):
            for batch in obstore.list(self._store, MPU_DIR, chunk_size=1000):
                for o in batch:
                    parts = o["path"].split("/")
                    if len(parts) < 3:
                        continue
                    seen = newest.get(parts[1])
                    if seen is None or o["last_modified"] > seen:
                        newest[parts[1]] = o["last_modified"]
        stale = [upload for upload, when in newest.items() if when < cutoff]
        for upload in stale:
            self._delete_tree(f"{MPU_DIR}/{upload}")
        return len(stale)

    def create_multipart_upload(self, path: str) -> str:
        """Start a multipart upload of ``path``.

        Args:
            path: Relative path of the file to create.

        Returns:
            A random upload id.

        Raises:
            InvalidArgumentError: Unsafe path.
        """
        import obstore

        key = artifact_key(path, allow_root=False)
        if sweep_due(self):
            self.expire_multipart_uploads()
        upload_id = new_upload_id()
        with obstore_errors(key):
            obstore.put(self._store, f"{self._staging(upload_id)}/{_TARGET}", key.encode())
        return upload_id

    def upload_part(self, path: str, upload_id: str, part_number: int, data: bytes) -> str:
        """Store one part as a staging object (re-uploading a part number replaces it).

        Args:
            path: The path given to :meth:`create_multipart_upload`.
            upload_id: The id it returned.
            part_number: 1 to 10000.
            data: The part's bytes.

        Returns:
            The staging object's ETag.

        Raises:
            NotFoundError: Unknown (or finished) upload.
            InvalidArgumentError: Bad id, part number or path.
        """
        import obstore

        check_part_number(part_number)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidArgumentError("A multipart part must be bytes")
        _, staging = self._open_upload(path, upload_id)
        with obstore_errors(staging):
            result = obstore.put(self._store, f"{staging}/part-{part_number:05d}", bytes(data))
        return etag_of(dict(result))

    def complete_multipart_upload(
        self, path: str, upload_id: str, parts: list[MultipartPart]
    ) -> None:
        """Stream the parts, in part-number order, into the object; then drop the staging.

        Args:
            path: The path given to :meth:`create_multipart_upload`.
            upload_id: The id it returned.
            parts: Every part to include, with the ETag :meth:`upload_part` returned.

        Raises:
            NotFoundError: Unknown (or finished) upload.
            InvalidArgumentError: No parts, duplicate or missing parts, or an ETag mismatch.
        """
        import obstore

        key, staging = self._open_upload(path, upload_id)
        ordered_part_numbers(parts)
        with obstore_errors(staging):
            stored = {
                o["path"].rsplit("/", 1)[-1]: etag_of(dict(o))
                for batch in obstore.list(self._store, staging, chunk_size=1000)
                for o in batch
            }
        names: list[str] = []
        for p in sorted(parts, key=lambda p: p.part_number):
            name = f"part-{p.part_number:05d}"
            if name not in stored:
                raise InvalidArgumentError(f"Part {p.part_number} was not uploaded")
            if p.etag and p.etag.strip('"') != stored[name]:
                raise InvalidArgumentError(f"ETag mismatch for part {p.part_number}")
            names.append(f"{staging}/{name}")

        def concatenated() -> Iterator[bytes]:
            for name in names:
                with obstore_errors(name):
                    yield from obstore.get(self._store, name).stream(min_chunk_size=CHUNK_SIZE)

        self._put(key, concatenated())
        self._delete_tree(staging)

    def abort_multipart_upload(self, path: str, upload_id: str) -> None:
        """Drop an unfinished upload and its parts; an unknown upload is not an error.

        Args:
            path: The path given to :meth:`create_multipart_upload`.
            upload_id: The id it returned.

        Raises:
            InvalidArgumentError: Bad id or path.
        """
        try:
            _, staging = self._open_upload(path, upload_id)
        except NotFoundError:
            return
        self._delete_tree(staging)
