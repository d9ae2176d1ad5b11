"""The server-info answer and OTLP's JSON answer."""

from __future__ import annotations

from typing_extensions import TypedDict

__all__ = ["ExportTraceServiceResponse", "ServerFeatures", "ServerInfo"]


class ServerFeatures(TypedDict):
    """Optional features and whether this server has them."""

    gateway: bool
    scheduled_issue_detection: bool


class ServerInfo(TypedDict):
    """What this server supports, in MLflow 3.18's server-info shape.

    MLflow's ``skill_content_max_size`` / ``skill_content_max_files`` are left out: this
    server stores no skills (MLflow leaves them out too when it has no limits to give).
    ``tracking_auth`` names the authentication clients must use, ``""`` for none.
    """

    store_type: str
    workspaces_enabled: bool
    trace_archival_enabled: bool
    multipart_uploads_enabled: bool
    multipart_downloads_enabled: bool
    artifact_serving_enabled: bool
    presigned_upload_run_id_supported: bool
    presigned_upload_model_id_supported: bool
    model_artifact_presigned_downloads_supported: bool
    features_enabled: ServerFeatures
    tracking_auth: str
    artifacts_presigned_only: bool


class ExportTraceServiceResponse(TypedDict):
    """OTLP's ``ExportTraceServiceResponse`` in JSON: ``{}`` once every span is committed."""
