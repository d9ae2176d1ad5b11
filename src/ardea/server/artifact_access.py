"""Reading and writing artifacts for requests: URI resolution, safe paths, streamed answers.

A run's or logged model's ``artifact_uri`` of the form ``mlflow-artifacts:/<p>`` names ``<p>``
inside the server's own artifact store; any other scheme (a folder, ``s3://``, ...) is opened
with :func:`ardea.store.artifacts.resolve.resolve_artifact_store`. Every path taken from a
request goes through :func:`safe_relpath` first.

Downloads stream in chunks with ``Content-Disposition: attachment``,
``X-Content-Type-Options: nosniff`` and a content type that never lets a browser render logged
HTML or SVG inline. Uploads stream the body to a temporary file before it goes to the store.
"""

from __future__ import annotations

import mimetypes
import os
import posixpath
import tempfile
import urllib.parse
from collections.abc import Iterator

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ardea._core.errors import InvalidArgumentError, PermissionDeniedError
from ardea.entities import FileInfo
from ardea.server.deps import ServerSettings, artifact_store, artifact_store_at, settings
from ardea.store.artifacts.base import ArtifactStore
from ardea.store.artifacts.local import LocalArtifactStore
from ardea.store.artifacts.paths import safe_relpath
from ardea.store.validation import validate_artifact_location

__all__ = [
    "ArtifactRoot",
    "check_allowed_location",
    "check_new_experiment_location",
    "download_response",
    "list_under",
    "receive_upload",
    "resolve_root",
]

_PROXY_SCHEME = "mlflow-artifacts"
_PROXY_HTTP_MARKER = "/api/2.0/mlflow-artifacts/artifacts/"
_SMALL_BODY = 1024 * 1024
_SAFE_TYPES = {
    "text/plain",
    "text/csv",
    "text/markdown",
    "text/tab-separated-values",
    "application/json",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
}


class ArtifactRoot:
    """A store and a folder inside it (``prefix``, ``""`` for the store's root)."""

    __slots__ = ("prefix", "store")

    def __init__(self, store: ArtifactStore, prefix: str) -> None:
        self.store = store
        self.prefix = prefix

    def join(self, relpath: str | None) -> str:
        """The store path of ``relpath`` (from a request) under this root; hostile -> 400."""
        rel = safe_relpath(relpath)
        if not rel:
            return self.prefix
        return posixpath.join(self.prefix, rel) if self.prefix else rel


def resolve_root(request: Request, uri: str) -> ArtifactRoot:
    """The store and folder behind an artifact URI of a run or logged model."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme == _PROXY_SCHEME:
        return ArtifactRoot(artifact_store(request), safe_relpath(parsed.path.lstrip("/")))
    if parsed.scheme in ("http", "https") and _PROXY_HTTP_MARKER in parsed.path:
        inner = parsed.path.split(_PROXY_HTTP_MARKER, 1)[1]
        return ArtifactRoot(artifact_store(request), safe_relpath(urllib.parse.unquote(inner)))
    from ardea.store.artifacts.resolve import OBJECT_STORE_SCHEMES

    check_allowed_location(settings(request), uri)
    if parsed.scheme.lower() in OBJECT_STORE_SCHEMES and parsed.netloc:
        # One client per bucket, shared by every run under it.
        bucket = f"{parsed.scheme}://{parsed.netloc}"
        return ArtifactRoot(
            artifact_store_at(request, bucket), safe_relpath(parsed.path.lstrip("/"))
        )
    return ArtifactRoot(artifact_store_at(request, uri), "")


def _normalize_location(uri: str) -> str:
    from ardea.store.artifacts.resolve import is_local_uri, local_path

    if is_local_uri(uri):
        return os.path.realpath(local_path(uri)).rstrip("/") or "/"
    parsed = urllib.parse.urlparse(uri)
    path = posixpath.normpath("/" + parsed.path.strip("/")) if parsed.path.strip("/") else ""
    return f"{parsed.scheme.lower()}://{parsed.netloc}{path}".rstrip("/")


def _allowed_roots(settings: ServerSettings) -> list[str]:
    roots = [settings.artifacts_destination, settings.default_artifact_root]
    roots += list(settings.allowed_artifact_roots)
    out = []
    for root in roots:
        if root and urllib.parse.urlparse(root).scheme != _PROXY_SCHEME:
            out.append(_normalize_location(root))
    return out


def check_allowed_location(settings: ServerSettings, uri: str) -> None:
    """Refuse (403) an artifact location outside the server's configured artifact roots.

    Artifact locations of experiments can be chosen by clients; without this check a client
    could make the server read or list any folder or bucket it has access to.
    """
    try:
        location = _normalize_location(uri)
    except ValueError:  # e.g. a NUL character: no such location can be served
        location = ""
    for root in _allowed_roots(settings) if location else []:
        if location == root or location.startswith(root.rstrip("/") + "/"):
            return
    raise PermissionDeniedError(
        f"This server does not serve artifacts from {uri!r}: it is outside its artifact "
        "roots. Start the server with --allow-artifact-root <root> to allow it."
    )


def check_new_experiment_location(settings: ServerSettings, uri: str) -> None:
    """Refuse (400) a new experiment's artifact location that the server would not serve.

    Without this, the experiment is created and every read or write of its runs' artifacts
    is then refused with a 403. ``mlflow-artifacts:`` locations (and the proxy's HTTP form)
    are served from the server's own store and always pass; any other must lie inside the
    artifacts destination, the default artifact root or a ``--allow-artifact-root``
    (:func:`check_allowed_location`). MLflow answers an invalid ``artifact_location`` with
    400 ``INVALID_PARAMETER_VALUE``, and so does this.
    """
    validate_artifact_location(uri)  # the store's own rules first (NUL, runs:/, .ardea-*)
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme == _PROXY_SCHEME or (
        parsed.scheme in ("http", "https") and _PROXY_HTTP_MARKER in parsed.path
    ):
        return
    try:
        check_allowed_location(settings, uri)
    except PermissionDeniedError:
        raise InvalidArgumentError(
            f"Invalid artifact location {uri!r}: it is outside this server's artifact roots, "
            "so the server would refuse to read or write the artifacts of its runs. Leave "
            "artifact_location empty for the default, or start the server with "
            "--allow-artifact-root <root> to allow it."
        ) from None


def list_under(root: ArtifactRoot, relpath: str | None) -> list[FileInfo]:
    """Children of ``relpath`` under ``root``, with paths relative to the root (blocking)."""
    rel = safe_relpath(relpath)
    out = []
    for info in root.store.list(root.join(rel)):
        base = posixpath.basename(info.path)
        out.append(
            FileInfo(posixpath.join(rel, base) if rel else base, info.is_dir, info.file_size)
        )
    return out


def safe_content_type(filename: str) -> str:
    """A content type for a download that a browser will not render as active content."""
    guessed = mimetypes.guess_type(filename)[0]
    if guessed in _SAFE_TYPES:
        return guessed
    if guessed and (guessed.startswith("text/") or "xml" in guessed or "script" in guessed):
        return "text/plain"
    return "application/octet-stream"


def _disposition(filename: str) -> str:
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    quoted = urllib.parse.quote(filename, safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"


async def download_response(store: ArtifactStore, path: str) -> Response:
    """Stream the file at store path ``path``; missing -> 404, a folder -> 400."""
    if not path:
        raise InvalidArgumentError("An artifact path naming a file is required.")

    def open_first() -> tuple[Iterator[bytes], bytes, int]:
        size = store.size(path)
        chunks = iter(store.open(path))
        return chunks, next(chunks, b""), size

    chunks, first, size = await run_in_threadpool(open_first)

    def body() -> Iterator[bytes]:
        if first:
            yield first
        yield from chunks

    filename = posixpath.basename(path)
    headers = {
        "Content-Disposition": _disposition(filename),
        "X-Content-Type-Options": "nosniff",
        "Content-Length": str(size),
    }
    return StreamingResponse(body(), media_type=safe_content_type(filename), headers=headers)


async def receive_upload(request: Request, store: ArtifactStore, path: str) -> None:
    """Write the request body to ``path`` in ``store``; big bodies go via a temporary file."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) <= _SMALL_BODY:
        data = await request.body()
        await run_in_threadpool(store.put, path, data)
        return
    if isinstance(store, LocalArtifactStore):
        # Straight into a temporary file beside the destination, then renamed: one copy.
        with store.writer(path) as f:
            async for chunk in request.stream():
                f.write(chunk)
        return
    fd, tmp_name = tempfile.mkstemp(prefix="ardea-upload-")
    try:
        with os.fdopen(fd, "wb") as tmp:
            async for chunk in request.stream():
                tmp.write(chunk)
        await run_in_threadpool(store.put_file, path, tmp_name)
    finally:
        os.unlink(tmp_name)
