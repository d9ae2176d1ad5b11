"""Health, version and server-info routes."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ardea.api.schemas.meta import ServerInfo
from ardea.server.access import (
    PUBLIC,
)
from ardea.server.deps import root_backend, settings
from ardea.server.http import json_response, rpc
from ardea.server.openapi_responses import TEXT

router = APIRouter()
"""Routes outside the API prefixes: ``/health`` and ``/version``."""

v3_router = APIRouter()
"""``/mlflow/server-info``, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

# MLflow clients parse /version with PEP 440 and send spans over OTLP (/v1/traces) only when
# it is >= 3.4, so the server reports the MLflow version whose wire protocol it speaks.
SERVER_VERSION = "3.18.0"
"""The version string ``GET /version`` answers (the MLflow wire version served)."""


@rpc(router, "/health", "GET", access=PUBLIC, response=TEXT, errors=())
async def health(request: Request) -> Response:
    """``OK`` as text while the server is up."""
    return PlainTextResponse("OK")


@rpc(router, "/version", "GET", access=PUBLIC, response=TEXT, errors=())
async def version(request: Request) -> Response:
    """The server version as bare text."""
    return PlainTextResponse(SERVER_VERSION)


@rpc(v3_router, "/mlflow/server-info", "GET", access=PUBLIC, response=ServerInfo, errors=(403, 500))
async def server_info(request: Request) -> Response:
    """What this server supports, in MLflow 3.18's server-info shape.

    Multipart uploads go through this server (the part URLs point back at it), so they are on
    whenever it serves artifacts from a store that has them; nothing is presigned, nothing is
    archived, ``features_enabled.gateway`` says whether the AI gateway is on (``--no-gateway``
    turns it off), there is no scheduled issue detection yet, and no authentication
    (``tracking_auth`` ``""``). ``workspaces_enabled`` says whether the server runs with
    workspaces (``--enable-workspaces``); clients read it before sending a workspace. The
    mlflow 3.18 client uploads files of ``MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE`` (500 MB)
    or more in parts when ``multipart_uploads_enabled`` is true.
    """
    config = settings(request)
    serve = config.serve_artifacts
    return json_response(
        {
            "store_type": "SqlStore",
            "workspaces_enabled": config.enable_workspaces,
            "trace_archival_enabled": False,
            # The root store: server-info answers whatever workspace the request names.
            "multipart_uploads_enabled": serve
            and root_backend(request).artifacts.supports_multipart,
            "multipart_downloads_enabled": False,
            "artifact_serving_enabled": serve,
            "presigned_upload_run_id_supported": False,
            "presigned_upload_model_id_supported": False,
            "model_artifact_presigned_downloads_supported": False,
            "features_enabled": {
                "gateway": config.gateway_enabled,
                "scheduled_issue_detection": False,
            },
            "tracking_auth": "",
            "artifacts_presigned_only": False,
        }
    )
