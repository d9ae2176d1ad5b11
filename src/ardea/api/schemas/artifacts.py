"""Artifact answers: folder listings and multipart uploads."""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = [
    "CreateMultipartUploadResponse",
    "FileInfo",
    "ListArtifactsResponse",
    "ListProxiedArtifactsResponse",
    "MultipartUploadCredential",
]


class FileInfo(TypedDict):
    """One entry of a folder; ``file_size`` (bytes) only for files."""

    path: str
    is_dir: bool
    file_size: NotRequired[Int64]


class ListArtifactsResponse(TypedDict):
    """ListArtifacts of a run: its artifact root and one folder's entries (run-relative paths)."""

    root_uri: str
    files: list[FileInfo]


class ListProxiedArtifactsResponse(TypedDict):
    """A proxied folder listing: entries by base name."""

    files: list[FileInfo]


class MultipartUploadCredential(TypedDict):
    """Where to PUT one part (a URL on this server) and the headers to send."""

    url: str
    part_number: Int64
    headers: dict[str, str]


class CreateMultipartUploadResponse(TypedDict):
    """CreateMultipartUpload: the upload's id and one credential per part."""

    upload_id: str
    credentials: list[MultipartUploadCredential]
