"""Artifact routes: MLflow's proxied ``mlflow-artifacts`` API and the run-artifact routes.

Proxied mode: the client PUTs, GETs, lists and DELETEs paths relative to the server's artifact
store (``mlflow-artifacts:/<p>`` URIs); multipart uploads hand out part URLs that point back at
this server, so a client never needs storage credentials. Run routes read a run's artifacts
wherever its ``artifact_uri`` points.
"""

from __future__ import annotations

import posixpath
import urllib.parse

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError, NotImplementedFeatureError
from ardea.api import mlflow_requests as rq
from ardea.api.mlflow_json import file_info_to_json
from ardea.api.schemas.artifacts import (
    CreateMultipartUploadResponse,
    ListArtifactsResponse,
    ListProxiedArtifactsResponse,
)
from ardea.api.schemas.common import EmptyResponse
from ardea.entities import FileInfo
from ardea.server import access_targets as at
from ardea.server.access import (
    EDIT,
    MANAGE,
    READ,
    on,
)
from ardea.server.artifact_access import (
    download_response,
    list_under,
    receive_upload,
    resolve_root,
)
from ardea.server.deps import artifact_store, tracking_store
from ardea.server.http import call, empty, json_response, parse_get, parse_json, rpc
from ardea.server.openapi_responses import FILE, INPUT_ERRORS, Answer
from ardea.store.artifacts.base import MultipartPart
from ardea.store.artifacts.local import LocalArtifactStore
from ardea.store.artifacts.paths import safe_relpath

proxy_router = APIRouter()
"""``/mlflow-artifacts/...`` routes, mounted under ``/api/2.0`` and ``/ajax-api/2.0``."""

router = APIRouter()
"""Run-artifact listing, mounted under ``/api/2.0`` and ``/ajax-api/2.0``."""

root_router = APIRouter()
"""Routes outside the API prefixes (``/get-artifact``)."""

ajax_router = APIRouter()
"""The UI's run-artifact upload, mounted under ``/ajax-api/2.0`` only."""

INLINE_UPLOAD_BYTES = 256 * 1024
"""Uploads to a local artifact store up to this size skip the thread pool."""
UI_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
"""Largest file the UI upload route accepts."""

_ARTIFACTS = "/mlflow-artifacts/artifacts"
_MPU = "/mlflow-artifacts/mpu"
UPLOAD_PART_PATH = "/api/2.0" + _MPU + "/upload-part/"
"""Where the part URLs of a multipart upload point (followed by the artifact path)."""


MULTIPART_UNSUPPORTED = "Multipart upload is not supported for the current artifact repository"
"""MLflow's message for an artifact store without multipart uploads (the client matches it)."""

PART_STORED = Answer(
    "The part is stored: an empty body, with the part's ETag (the complete call lists it).",
    headers={"ETag": {"schema": {"type": "string"}, "description": "The stored part's ETag."}},
)
"""The documented 200 answer of an uploaded part."""


def _file_path(artifact_path: str) -> str:
    return safe_relpath(artifact_path, allow_root=False)


def _mpu_target(artifact_path: str, local_file: str) -> str:
    """MLflow's multipart target: the URL names the folder, the body's ``path`` the file.

    The client sends its local file path; only its base name is used.
    """
    name = local_file.replace("\\", "/").rsplit("/", 1)[-1]
    name = safe_relpath(name, allow_root=False)
    folder = safe_relpath(artifact_path)
    return posixpath.join(folder, name) if folder else name


@rpc(
    proxy_router,
    _ARTIFACTS + "/{artifact_path:path}",
    "PUT",
    access=on(EDIT, at.artifact_path(), "experiment of the artifact path"),
    response=EmptyResponse,
)
async def upload_artifact(request: Request, artifact_path: str) -> Response:
    """Upload one file (raw body, any Content-Type) -> ``{}``."""
    path = _file_path(artifact_path)
    store = artifact_store(request)
    length = request.headers.get("content-length")
    if (
        isinstance(store, LocalArtifactStore)
        and length is not None
        and length.isdigit()
        and int(length) <= INLINE_UPLOAD_BYTES
    ):
        # A small local file (e.g. a trace's traces.json) is written on the event loop: a
        # few syscalls cost less than the thread-pool hop.
        store.put(path, await request.body())
        return empty()
    await receive_upload(request, store, path)
    return empty()


@rpc(
    proxy_router,
    _ARTIFACTS + "/{artifact_path:path}",
    "GET",
    access=on(READ, at.artifact_path(), "experiment of the artifact path"),
    response=FILE,
)
async def download_artifact(request: Request, artifact_path: str) -> Response:
    """Download one file, streamed as an attachment."""
    return await download_response(artifact_store(request), _file_path(artifact_path))


@rpc(
    proxy_router,
    _ARTIFACTS + "/{artifact_path:path}",
    "DELETE",
    access=on(MANAGE, at.artifact_path(), "experiment of the artifact path"),
    response=EmptyResponse,
)
async def delete_artifact(request: Request, artifact_path: str) -> Response:
    """Delete a file or a folder -> ``{}``."""
    await call(artifact_store(request).delete, _file_path(artifact_path))
    return empty()


@rpc(
    proxy_router,
    _ARTIFACTS,
    "GET",
    access=on(READ, at.artifact_path("path"), "experiment of the artifact path"),
    response=ListProxiedArtifactsResponse,
    spec=rq.LIST_PROXIED_ARTIFACTS,
)
async def list_artifacts(request: Request) -> Response:
    """List a folder (``?path=``) -> ``{files}`` with basenames, as MLflow does."""
    req = parse_get(request, rq.LIST_PROXIED_ARTIFACTS)
    path = safe_relpath(req["path"])
    infos = await call(artifact_store(request).list, path)
    files = [
        file_info_to_json(FileInfo(posixpath.basename(i.path), i.is_dir, i.file_size))
        for i in infos
    ]
    return json_response({"files": files})


@rpc(
    proxy_router,
    _MPU + "/create/{artifact_path:path}",
    "POST",
    access=on(EDIT, at.artifact_path(), "experiment of the artifact path"),
    response=CreateMultipartUploadResponse,
    errors=(*INPUT_ERRORS, 501),
    spec=rq.CREATE_MULTIPART_UPLOAD,
)
async def create_multipart_upload(request: Request, artifact_path: str) -> Response:
    """Start a multipart upload -> ``{upload_id, credentials}`` with part URLs on this server.

    The file is ``<artifact_path>/<basename of the body's path>``, as in MLflow.
    """
    req = await parse_json(request, rq.CREATE_MULTIPART_UPLOAD)
    path = _mpu_target(artifact_path, req["path"])
    num_parts = req["num_parts"] or 1
    if not 1 <= num_parts <= 10000:
        raise InvalidArgumentError("num_parts must be between 1 and 10000.")
    try:
        upload_id = await call(artifact_store(request).create_multipart_upload, path)
    except NotImplementedError:
        # The mlflow client falls back to a single PUT on exactly this message.
        raise NotImplementedFeatureError(MULTIPART_UNSUPPORTED) from None
    base = str(request.base_url).rstrip("/") + UPLOAD_PART_PATH + urllib.parse.quote(path)
    credentials = [
        {
            "url": f"{base}?{urllib.parse.urlencode({'upload_id': upload_id, 'part_number': n})}",
            "part_number": n,
            "headers": {},
        }
        for n in range(1, num_parts + 1)
    ]
    return json_response({"upload_id": upload_id, "credentials": credentials})


@rpc(
    proxy_router,
    _MPU + "/upload-part/{artifact_path:path}",
    "PUT",
    access=on(EDIT, at.artifact_path(), "experiment of the artifact path"),
    response=PART_STORED,
    spec=rq.UPLOAD_PART,
    spec_in="query",
)
async def upload_part(request: Request, artifact_path: str) -> Response:
    """Receive one part (raw body) -> empty 200 with an ``ETag`` header."""
    path = _file_path(artifact_path)
    req = parse_get(request, rq.UPLOAD_PART)
    data = await request.body()
    etag = await call(
        artifact_store(request).upload_part, path, req["upload_id"], req["part_number"], data
    )
    return Response(b"", headers={"ETag": etag})


@rpc(
    proxy_router,
    _MPU + "/complete/{artifact_path:path}",
    "POST",
    access=on(EDIT, at.artifact_path(), "experiment of the artifact path"),
    response=EmptyResponse,
    spec=rq.COMPLETE_MULTIPART_UPLOAD,
)
async def complete_multipart_upload(request: Request, artifact_path: str) -> Response:
    """Assemble the parts into the file -> ``{}``."""
    req = await parse_json(request, rq.COMPLETE_MULTIPART_UPLOAD)
    path = _mpu_target(artifact_path, req["path"])
    parts = [MultipartPart(p["part_number"], p["etag"] or "") for p in req["parts"]]
    await call(artifact_store(request).complete_multipart_upload, path, req["upload_id"], parts)
    return empty()


@rpc(
    proxy_router,
    _MPU + "/abort/{artifact_path:path}",
    "POST",
    access=on(EDIT, at.artifact_path(), "experiment of the artifact path"),
    response=EmptyResponse,
    spec=rq.ABORT_MULTIPART_UPLOAD,
)
async def abort_multipart_upload(request: Request, artifact_path: str) -> Response:
    """Drop an unfinished multipart upload -> ``{}``."""
    req = await parse_json(request, rq.ABORT_MULTIPART_UPLOAD)
    path = _mpu_target(artifact_path, req["path"])
    await call(artifact_store(request).abort_multipart_upload, path, req["upload_id"])
    return empty()


@rpc(
    router,
    "/mlflow/artifacts/list",
    "GET",
    access=on(READ, at.run(), "experiment of the run"),
    response=ListArtifactsResponse,
    spec=rq.LIST_ARTIFACTS,
)
async def list_run_artifacts(request: Request) -> Response:
    """ListArtifacts of a run -> ``{root_uri, files}`` with run-relative paths."""
    req = parse_get(request, rq.LIST_ARTIFACTS)
    path = safe_relpath(req["path"])  # refused before the run is looked up, as in MLflow
    run = await call(tracking_store(request).get_run, req["run_id"])
    root = resolve_root(request, run.info.artifact_uri)
    files = await call(list_under, root, path)
    return json_response(
        {"root_uri": run.info.artifact_uri, "files": [file_info_to_json(f) for f in files]}
    )


@rpc(
    root_router,
    "/get-artifact",
    "GET",
    access=on(READ, at.run(), "experiment of the run"),
    response=FILE,
    spec=rq.GET_RUN_ARTIFACT,
)
async def get_run_artifact(request: Request) -> Response:
    """Download one file of a run (``run_id`` or ``run_uuid``, ``path``), as the MLflow UI does."""
    req = parse_get(request, rq.GET_RUN_ARTIFACT)
    path = safe_relpath(req["path"])
    run = await call(tracking_store(request).get_run, req["run_id"])
    root = resolve_root(request, run.info.artifact_uri)
    return await download_response(root.store, root.join(path))


@rpc(
    ajax_router,
    "/mlflow/upload-artifact",
    "POST",
    access=on(EDIT, at.run(), "experiment of the run"),
    response=EmptyResponse,
    spec=rq.UI_UPLOAD_ARTIFACT,
    spec_in="query",
)
async def ui_upload_artifact(request: Request) -> Response:
    """The UI's upload of one run artifact (raw body up to 10 MB).

    Query: ``run_id`` or ``run_uuid``, ``path``; checked in MLflow's order, with its messages.
    """
    req = parse_get(request, rq.UI_UPLOAD_ARTIFACT)
    if not req["run_id"]:
        raise InvalidArgumentError("Request must specify run_id or run_uuid.")
    if not req["path"]:
        raise InvalidArgumentError("Request must specify path.")
    path = safe_relpath(req["path"], allow_root=False)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > UI_UPLOAD_MAX_BYTES:
            raise InvalidArgumentError("Artifact size is too large. Max size is 10MB.")
    if not data:
        raise InvalidArgumentError("Request must specify data.")
    run = await call(tracking_store(request).get_run, req["run_id"])
    root = resolve_root(request, run.info.artifact_uri)
    await call(root.store.put, root.join(path), bytes(data))
    return empty()
