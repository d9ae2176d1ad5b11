"""The server-info answer and OTLP's JSON answer."""

from __future__ import annotations

from typing_extensions import TypedDict

__all__ = ["ExportTraceServiceResponse", "ServerFeatures", "ServerInfo"]


class ServerFeatures(TypedDict):
    """Optional features and whether this server has them."""

    gateway: bool


class ServerInfo(TypedDict):
    """What this server supports, in MLflow's server-info shape."""

    store_type: str
    workspaces_enabled: bool
    trace_archival_enabled: bool
    multipart_uploads_enabled: bool
    multipart_downloads_enabled: bool
    presigned_upload_run_id_supported: bool
    presigned_upload_model_id_supported: bool
    features_enabled: ServerFeatures


class ExportTraceServiceResponse(TypedDict):
    """OTLP's ``ExportTraceServiceResponse`` in JSON: ``{}`` once every span is committed."""
