"""From an artifact URI to the store that serves it.

``mlflow-artifacts:`` URIs are not handled here: the server maps them onto its own
destination store.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import urlparse, urlsplit, urlunsplit
from urllib.request import url2pathname

from ardea._core.errors import InvalidArgumentError
from ardea.store.artifacts.base import ArtifactStore

__all__ = [
    "OBJECT_STORE_SCHEMES",
    "SUPPORTED_SCHEMES",
    "absolute_location",
    "is_local_uri",
    "local_path",
    "resolve_artifact_store",
    "split_artifact_uri",
]

OBJECT_STORE_SCHEMES = ("s3", "s3a", "gs", "az", "azure", "abfs", "abfss")
"""URI schemes served by :class:`~ardea.store.artifacts.object_store.ObjectArtifactStore`."""

SUPPORTED_SCHEMES = ("file", *OBJECT_STORE_SCHEMES)
"""Every accepted scheme (plain folder paths need none)."""


def _scheme(uri: str) -> str:
    scheme = urlparse(uri).scheme.lower()
    return "" if len(scheme) == 1 else scheme  # "C:\\x" is a Windows path, not a scheme


def is_local_uri(uri: str) -> bool:
    """Whether ``uri`` is a plain path or a ``file:`` URI.

    Args:
        uri: An artifact location.

    Returns:
        True for local folders.
    """
    return _scheme(uri) in ("", "file")


def absolute_location(uri: str) -> str:
    """A relative local location made absolute against the working directory, as MLflow does.

    ``my_location`` becomes ``<cwd>/my_location`` and ``file:my_location`` becomes
    ``file://<cwd>/my_location``; absolute paths and other URIs are returned unchanged.

    Args:
        uri: An experiment's artifact location as a client gave it.

    Returns:
        The location to store.
    """
    scheme = _scheme(uri)
    if scheme == "":
        return uri if Path(uri).is_absolute() else (Path.cwd() / uri).as_posix()
    parts = urlsplit(uri)
    if scheme != "file" or parts.netloc or Path(url2pathname(parts.path)).is_absolute():
        return uri
    path = (Path.cwd() / url2pathname(parts.path)).as_posix()
    return urlunsplit((parts.scheme, "", path, parts.query, parts.fragment))


def local_path(uri: str) -> str:
    """The folder named by a plain path or a ``file:`` URI.

    Args:
        uri: A plain path, ``file:///abs/path`` or ``file://localhost/abs/path``.

    Returns:
        The local path.

    Raises:
        InvalidArgumentError: Not a local URI, or a ``file:`` URI naming another host.
    """
    if _scheme(uri) == "":
        if not uri:
            raise InvalidArgumentError("An artifact location is required")
        return uri
    parsed = urlparse(uri)
    if parsed.scheme.lower() != "file":
        raise InvalidArgumentError(f"Not a local artifact URI: {uri!r}")
    if parsed.netloc not in ("", "localhost"):
        raise InvalidArgumentError(
            f"{uri} is not a valid remote uri: a file: URI must name a local path, "
            f"not host {parsed.netloc!r}."
        )
    if not parsed.path:
        raise InvalidArgumentError(f"file: URI names no path: {uri!r}")
    return url2pathname(parsed.path)


def resolve_artifact_store(uri: str) -> ArtifactStore:
    """The artifact store rooted at ``uri``.

    Args:
        uri: A folder path, ``file:///path``, ``s3://bucket/prefix``, ``gs://bucket/prefix``,
            ``az://container/prefix`` or ``abfss://container@account.dfs.core.windows.net/p``.

    Returns:
        A :class:`~ardea.store.artifacts.local.LocalArtifactStore` or an
        :class:`~ardea.store.artifacts.object_store.ObjectArtifactStore`.

    Raises:
        InvalidArgumentError: An unsupported scheme (the message lists the supported ones).
    """
    scheme = _scheme(uri)
    if scheme in ("", "file"):
        from ardea.store.artifacts.local import LocalArtifactStore

        return LocalArtifactStore(local_path(uri))
    if scheme in OBJECT_STORE_SCHEMES:
        from ardea.store.artifacts.object_store import ObjectArtifactStore

        return ObjectArtifactStore.from_uri(uri)
    raise InvalidArgumentError(
        f"Unsupported artifact URI scheme {scheme!r} in {uri!r}; supported: a folder path, "
        + ", ".join(f"{s}://" for s in SUPPORTED_SCHEMES)
    )


def split_artifact_uri(uri: str) -> tuple[str, str]:
    """Split a file's URI into its folder's URI and the file name.

    ``s3://b/p/model.pkl`` -> ``("s3://b/p", "model.pkl")``; ``/data/a/x.txt`` ->
    ``("/data/a", "x.txt")``. Use it to open the store of the folder and address the file in it.

    Args:
        uri: The URI or path of a file.

    Returns:
        ``(folder_uri, file_name)``.

    Raises:
        InvalidArgumentError: The URI names no file (empty, or a bare bucket).
    """
    if _scheme(uri) == "":
        head, tail = posixpath.split(uri.rstrip("/"))
        if not tail:
            raise InvalidArgumentError(f"Artifact URI names no file: {uri!r}")
        return head or ".", tail
    parsed = urlparse(uri)
    head, tail = posixpath.split(parsed.path.rstrip("/"))
    if not tail:
        raise InvalidArgumentError(f"Artifact URI names no file: {uri!r}")
    return parsed._replace(path=head, query="", fragment="").geturl(), tail
