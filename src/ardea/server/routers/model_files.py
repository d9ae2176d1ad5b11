"""What the web UI reads about models beyond MLflow's RPCs.

- ``GET /ardea/model-versions/artifacts?name=&version=&path=`` (``/api/3.0``): one folder of a
  registered model version's files. The version's download URI is resolved on the server: the
  logged model's artifacts for ``models:/<model_id>``, the run's artifacts for
  ``runs:/<run_id>/<path>``, else the URI itself; it is read only inside the server's artifact
  roots, as a run's artifacts are (403 otherwise).
- ``GET /model-versions/get-artifact?name=&version=&path=``: one of those files, as MLflow's own
  UI route (streamed as an attachment with a content type browsers never render).
- ``GET /ardea/logged-models/{model_id}/runs`` (``/api/3.0``): the runs linked to a logged
  model: its source run, the runs that logged it as an output and those that used it as an
  input (a reverse lookup the MLflow RPCs do not offer).
"""

from __future__ import annotations

import posixpath
import urllib.parse
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_json import file_info_to_json
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.logged_models import LoggedModelRunsResponse
from ardea.api.schemas.registry import ListModelVersionArtifactsResponse
from ardea.entities.registry import PROMPT_TAG
from ardea.server import access_targets as at
from ardea.server.access import (
    READ,
    on,
)
from ardea.server.artifact_access import ArtifactRoot, download_response, list_under, resolve_root
from ardea.server.deps import registry_store, tracking_store
from ardea.server.http import call, json_response, parse_get, rpc
from ardea.server.openapi_responses import FILE, STORE_ERRORS
from ardea.store.artifacts.paths import safe_relpath

__all__ = [
    "GET_MODEL_VERSION_ARTIFACT",
    "LIST_MODEL_VERSION_ARTIFACTS",
    "root_router",
    "router",
    "version_files_uri",
]

router = APIRouter()
"""Mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

root_router = APIRouter()
"""``/model-versions/get-artifact``, outside the API prefixes (as MLflow's UI route)."""

_S, _SR = Field("string"), Field("string", required=True)
LIST_MODEL_VERSION_ARTIFACTS = RequestSpec(
    "ListModelVersionArtifacts", {"name": _SR, "version": _SR, "path": _S}, {}
)
"""The query of ``GET /ardea/model-versions/artifacts`` (``path``: a folder, "" for the root)."""
GET_MODEL_VERSION_ARTIFACT = RequestSpec(
    "GetModelVersionArtifact", {"name": _SR, "version": _SR, "path": _SR}, {}
)
"""The query of ``GET /model-versions/get-artifact`` (``path``: a file)."""


def version_files_uri(request: Request, name: str, version: str) -> str:
    """Where the files of version ``version`` of model ``name`` are (blocking).

    ``models:/<model_id>`` names a logged model (its artifact location), ``runs:/<run_id>/<p>``
    a folder of a run's artifacts; any other download URI is returned as it is. A prompt
    version, or a source naming another registered version that did not resolve, has no files
    to browse (InvalidArgumentError).
    """
    mv = registry_store(request).get_model_version(name, version)
    if mv.tags.get(PROMPT_TAG, "").lower() == "true":
        raise InvalidArgumentError(f"Version {version} of {name!r} is a prompt: it has no files.")
    uri = mv.download_uri
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme == "models":
        model_id = mv.model_id or parsed.path.lstrip("/")
        if "/" in model_id or "@" in model_id or not model_id:
            raise InvalidArgumentError(f"The source {uri!r} names no logged model to browse.")
        return tracking_store(request).get_logged_model(model_id).artifact_location
    if parsed.scheme == "runs":
        run_id, _, inner = (parsed.netloc + parsed.path).lstrip("/").partition("/")
        base = tracking_store(request).get_run(run_id).info.artifact_uri.rstrip("/")
        rel = safe_relpath(inner.strip("/"))
        return posixpath.join(base, rel) if rel else base
    return uri


def _version_root(request: Request, name: str, version: str) -> tuple[str, ArtifactRoot]:
    uri = version_files_uri(request, name, version)
    return uri, resolve_root(request, uri)


@rpc(
    router,
    "/ardea/model-versions/artifacts",
    "GET",
    access=on(READ, at.model(), "registered model"),
    response=ListModelVersionArtifactsResponse,
    errors=STORE_ERRORS,
    spec=LIST_MODEL_VERSION_ARTIFACTS,
)
async def list_model_version_artifacts(request: Request) -> Response:
    """One folder of a registered version's files -> ``{root_uri, files}``."""
    req = parse_get(request, LIST_MODEL_VERSION_ARTIFACTS)
    uri, root = await call(_version_root, request, req["name"], req["version"])
    files = await call(list_under, root, req["path"])
    return json_response({"root_uri": uri, "files": [file_info_to_json(f) for f in files]})


@rpc(
    root_router,
    "/model-versions/get-artifact",
    "GET",
    access=on(READ, at.model(), "registered model"),
    response=FILE,
    errors=STORE_ERRORS,
    spec=GET_MODEL_VERSION_ARTIFACT,
)
async def get_model_version_artifact(request: Request) -> Response:
    """Download one file of a registered version (``name``, ``version``, ``path``)."""
    req = parse_get(request, GET_MODEL_VERSION_ARTIFACT)
    path = safe_relpath(req["path"])  # a hostile path is refused before any lookup (MLflow)
    _, root = await call(_version_root, request, req["name"], req["version"])
    return await download_response(root.store, root.join(path))


@rpc(
    router,
    "/ardea/logged-models/{model_id}/runs",
    "GET",
    access=on(READ, at.logged_model(), "experiment of the logged model"),
    response=LoggedModelRunsResponse,
    errors=STORE_ERRORS,
)
async def get_logged_model_runs(request: Request, model_id: str) -> Response:
    """The runs linked to a logged model -> ``{runs: [{run_id, relation, step?}]}``."""
    links = await call(tracking_store(request).logged_model_runs, model_id)
    runs: list[dict[str, Any]] = []
    for link in links:
        item: dict[str, Any] = {"run_id": link.run_id, "relation": link.relation}
        if link.step is not None:
            item["step"] = link.step
        runs.append(item)
    return json_response({"runs": runs})
