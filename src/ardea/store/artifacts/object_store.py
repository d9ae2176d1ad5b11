"""Artifacts in an object store (S3 and S3-compatible, GCS, Azure) through ``obstore``.

``obstore`` is imported when a store is built, never at ``import ardea``.

Multipart uploads are staged as objects: see :mod:`ardea.store.artifacts.object_multipart`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from ardea._core import env
from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import FileInfo
from ardea.store.artifacts.base import CHUNK_SIZE, ArtifactStore
from ardea.store.artifacts.object_multipart import ObjectMultipartMixin
from ardea.store.artifacts.obstore_errors import config_errors, obstore_errors
from ardea.store.artifacts.paths import RESERVED_PREFIX, artifact_key

if TYPE_CHECKING:
    from obstore.store import ClientConfig, ObjectStore

__all__ = ["ObjectArtifactStore"]

_WRITE_BUFFER = 8 * 1024 * 1024  # below this a put is one request; above, multipart parts


def _is_reserved(key: str) -> bool:
    return key.rsplit("/", 1)[-1].startswith(RESERVED_PREFIX)


class ObjectArtifactStore(ObjectMultipartMixin, ArtifactStore):
    """Artifacts as objects under one prefix of a bucket or container.

    Build one with :meth:`from_uri` (or the per-scheme constructors). Only S3 is tested (against
    moto's S3 server); ``gs://`` and ``az://``/``abfss://`` come from obstore unchanged and
    are untested here. A path that is both an object and a prefix of others (legal in object
    stores, impossible on disk) is not prevented.

    Args:
        store: An obstore store, usually built with a prefix.
        uri: The URI the store was built from, for messages and ``repr``.
    """

    def __init__(self, store: ObjectStore, *, uri: str = "") -> None:
        self._store = store
        self.uri = uri

    def __repr__(self) -> str:
        return f"ObjectArtifactStore({self.uri!r})"

    # -- constructors ------------------------------------------------------------------
    @classmethod
    def from_uri(cls, uri: str) -> ObjectArtifactStore:
        """A store for ``s3://``, ``s3a://``, ``gs://``, ``az://``, ``azure://``, ``abfs(s)://``.

        Args:
            uri: ``<scheme>://<bucket or container>/<prefix>``.

        Returns:
            The store.

        Raises:
            InvalidArgumentError: Another scheme, or a malformed URI.
        """
        scheme = urlparse(uri).scheme.lower()
        if scheme in ("s3", "s3a"):
            return cls.from_s3_uri(uri)
        if scheme in ("gs", "az", "azure", "abfs", "abfss", "adl"):
            return cls._from_obstore_url(uri)
        raise InvalidArgumentError(f"Not an object store URI: {uri!r}")

    @classmethod
    def from_s3_uri(
        cls,
        uri: str,
        *,
        endpoint: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
        region: str | None = None,
    ) -> ObjectArtifactStore:
        """A store for ``s3://bucket/prefix`` on AWS or any S3-compatible server.

        Unset arguments come from the environment: endpoint from ``ARDEA_S3_ENDPOINT_URL`` or
        ``AWS_ENDPOINT_URL``; ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
        ``AWS_SESSION_TOKEN``; region from ``AWS_REGION`` or ``AWS_DEFAULT_REGION``
        (default ``us-east-1``). Plain ``http://`` endpoints are allowed.

        Args:
            uri: ``s3://bucket/prefix``.
            endpoint: URL of an S3-compatible server.
            access_key_id: Access key.
            secret_access_key: Secret key.
            session_token: Session token for temporary credentials.
            region: Region name.

        Returns:
            The store.

        Raises:
            InvalidArgumentError: The URI names no bucket.
        """
        from obstore.store import S3Store

        bucket, prefix = _bucket_and_prefix(uri)
        endpoint = endpoint or env.get(env.ARDEA_S3_ENDPOINT_URL, "AWS_ENDPOINT_URL")
        config: dict[str, Any] = {
            "region": region or env.get("AWS_REGION", "AWS_DEFAULT_REGION", default="us-east-1")
        }
        for name, value, var in (
            ("endpoint", endpoint, None),
            ("access_key_id", access_key_id, "AWS_ACCESS_KEY_ID"),
            ("secret_access_key", secret_access_key, "AWS_SECRET_ACCESS_KEY"),
            ("session_token", session_token, "AWS_SESSION_TOKEN"),
        ):
            value = value or (os.environ.get(var) if var else None)
            if value:
                config[name] = value
        client_options: ClientConfig = {}
        if endpoint and endpoint.lower().startswith("http://"):
            client_options["allow_http"] = True
        with config_errors(uri):
            store = S3Store(
                bucket, prefix=prefix or None, client_options=client_options or None, **config
            )
        return cls(store, uri=uri)

    @classmethod
    def _from_obstore_url(cls, uri: str) -> ObjectArtifactStore:
        from obstore.store import from_url

        with config_errors(uri):
            store = from_url(uri)
        return cls(store, uri=uri)

    @classmethod
    def from_gcs_uri(cls, uri: str) -> ObjectArtifactStore:
        """A store for ``gs://bucket/prefix`` (untested; credentials as obstore reads them).

        Args:
            uri: ``gs://bucket/prefix``.

        Returns:
            The store.
        """
        return cls._from_obstore_url(uri)

    @classmethod
    def from_azure_uri(cls, uri: str) -> ObjectArtifactStore:
        """A store for ``az://container/prefix`` or ``abfss://container@account.../prefix``.

        Untested; the account and credentials come from the ``AZURE_*`` variables obstore reads.

        Args:
            uri: The Azure URI.

        Returns:
            The store.
        """
        return cls._from_obstore_url(uri)

    # -- files -------------------------------------------------------------------------
    def put(self, path: str, data: bytes | Iterable[bytes]) -> int:
        """Write an object; a stream is uploaded in parts without being held whole.

        The object appears only when complete; a failing stream leaves any previous object.

        Args:
            path: Relative path of the file.
            data: The bytes, or an iterable of byte chunks.

        Returns:
            The number of bytes written.

        Raises:
            InvalidArgumentError: Unsafe path.
        """
        key = artifact_key(path, allow_root=False)
        return self._put(key, data)

    def _put(self, key: str, data: bytes | Iterable[bytes]) -> int:
        import obstore

        if isinstance(data, str):
            raise InvalidArgumentError("Artifact data must be bytes, not str")
        if isinstance(data, (bytes, bytearray, memoryview)):
            with obstore_errors(key):
                obstore.put(self._store, key, bytes(data))
            return len(data)
        # Never hand obstore a Python iterator: one that itself calls obstore (a stream from
        # another store) would re-enter its runtime and panic. Errors raised by the caller's
        # iterator pass through unchanged, after the upload is aborted.
        with obstore_errors(key):
            writer = obstore.open_writer(self._store, key, buffer_size=_WRITE_BUFFER)
        size = 0
        try:
            for chunk in data:
                with obstore_errors(key):
                    writer.write(chunk)
                size += len(chunk)
        except BaseException as exc:
            with suppress(Exception):
                writer.__exit__(type(exc), exc, exc.__traceback__)  # aborts the upload
            raise
        with obstore_errors(key):
            writer.close()
        return size

    def _is_folder(self, key: str) -> bool:
        import obstore

        with obstore_errors(key):
            for batch in obstore.list(self._store, key or None, chunk_size=1):
                if batch:
                    return True
        return False

    def _missing(self, key: str) -> Exception:
        if self._is_folder(key):
            return InvalidArgumentError(f"Artifact {key!r} is a folder, not a file")
        return NotFoundError(f"Artifact {key!r} not found")

    def open(self, path: str) -> Iterator[bytes]:
        """Stream an object in chunks of about 1 MiB; the request is made before returning.

        Args:
            path: Relative path of the file.

        Returns:
            An iterator of byte chunks.

        Raises:
            NotFoundError: No such object.
            InvalidArgumentError: Unsafe path, or the path is a folder.
        """
        import obstore

        key = artifact_key(path)
        if not key:
            raise InvalidArgumentError("The artifact root is a folder, not a file")
        try:
            with obstore_errors(key):
                result = obstore.get(self._store, key)
        except NotFoundError as exc:
            raise self._missing(key) from exc
        return _stream(result.stream(min_chunk_size=CHUNK_SIZE), key)

    def size(self, path: str) -> int:
        """An object's size in bytes.

        Args:
            path: Relative path of the file.

        Returns:
            The size in bytes.

        Raises:
            NotFoundError: No such object.
            InvalidArgumentError: Unsafe path, or the path is a folder.
        """
        import obstore

        key = artifact_key(path)
        if not key:
            raise InvalidArgumentError("The artifact root is a folder, not a file")
        try:
            with obstore_errors(key):
                return int(obstore.head(self._store, key)["size"])
        except NotFoundError as exc:
            raise self._missing(key) from exc

    def list(self, path: str = "") -> list[FileInfo]:
        """Direct children of a folder (one delimiter listing), sorted by path.

        Ardea's own entries (``.ardea-*``) are left out; an absent folder lists as empty.

        Args:
            path: Relative path of the folder; ``""`` is the root.

        Returns:
            One :class:`~ardea.entities.FileInfo` per child.

        Raises:
            InvalidArgumentError: Unsafe path.
        """
        import obstore

        key = artifact_key(path)
        with obstore_errors(key):
            result = obstore.list_with_delimiter(self._store, key or None)
        infos = [
            FileInfo(path=p.rstrip("/"), is_dir=True)
            for p in result["common_prefixes"]
            if not _is_reserved(p.rstrip("/"))
        ]
        infos += [
            FileInfo(path=o["path"], is_dir=False, file_size=int(o["size"]))
            for o in result["objects"]
            if o["path"] != key and not _is_reserved(o["path"])
        ]
        infos.sort(key=lambda i: i.path)
        return infos

    def delete(self, path: str) -> None:
        """Delete an object, and every object under ``path/``; absent paths are fine.

        ``""`` empties the whole prefix (including unfinished multipart uploads).

        Args:
            path: Relative path of the file or folder.

        Raises:
            InvalidArgumentError: Unsafe path.
        """
        import obstore

        key = artifact_key(path)
        self._delete_tree(key)
        if key:
            with suppress(NotFoundError), obstore_errors(key):
                obstore.delete(self._store, key)

    def _delete_tree(self, key: str) -> None:
        import obstore

        with obstore_errors(key):
            for batch in obstore.list(self._store, key or None, chunk_size=1000):
                paths = [o["path"] for o in batch]
                if paths:
                    with suppress(FileNotFoundError):
                        obstore.delete(self._store, paths)


def _stream(chunks: Iterable[bytes], key: str) -> Iterator[bytes]:
    with obstore_errors(key):
        yield from chunks


def _bucket_and_prefix(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    if not parsed.netloc:
        raise InvalidArgumentError(f"Object store URI names no bucket: {uri!r}")
    return parsed.netloc, parsed.path.strip("/")
