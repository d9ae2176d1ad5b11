"""ObjectArtifactStore specifics against moto's S3 server: configuration and staging layout."""

from __future__ import annotations

import uuid

import boto3
import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.artifacts import MultipartPart, ObjectArtifactStore
from fixtures.s3 import S3Server


def keys(server: S3Server, prefix: str) -> list[str]:
    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=server.access_key_id,
        aws_secret_access_key=server.secret_access_key,
        region_name=server.region,
    )
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=server.bucket, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def test_ardea_endpoint_wins_over_aws_endpoint(
    s3_env: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    prefix = f"unit/{uuid.uuid4().hex}"
    store = ObjectArtifactStore.from_s3_uri(s3_env.uri(prefix))
    store.put("x.txt", b"x")
    assert keys(s3_env, prefix) == [f"{prefix}/x.txt"]


def test_explicit_settings_without_environment(
    s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
        monkeypatch.delenv(var, raising=False)
    prefix = f"unit/{uuid.uuid4().hex}"
    store = ObjectArtifactStore.from_s3_uri(
        s3_server.uri(prefix),
        endpoint=s3_server.endpoint,
        access_key_id=s3_server.access_key_id,
        secret_access_key=s3_server.secret_access_key,
    )
    store.put("a/b.txt", b"b")
    assert store.get("a/b.txt") == b"b"
    assert keys(s3_server, prefix) == [f"{prefix}/a/b.txt"]


def test_bucket_root_without_prefix(s3_env: S3Server) -> None:
    store = ObjectArtifactStore.from_uri(s3_env.uri())
    name = f"root-{uuid.uuid4().hex}.txt"
    store.put(name, b"r")
    assert name in keys(s3_env, "")
    assert any(i.path == name for i in store.list(""))
    store.delete(name)
    assert name not in keys(s3_env, "")


def test_multipart_parts_are_staged_under_the_prefix_then_removed(s3_env: S3Server) -> None:
    prefix = f"unit/{uuid.uuid4().hex}"
    store = ObjectArtifactStore.from_uri(s3_env.uri(prefix))
    upload_id = store.create_multipart_upload("m.bin")
    etag = store.upload_part("m.bin", upload_id, 1, b"abc")
    assert keys(s3_env, prefix) == [
        f"{prefix}/.ardea-mpu/{upload_id}/part-00001",
        f"{prefix}/.ardea-mpu/{upload_id}/target",
    ]
    assert store.list("") == []
    store.complete_multipart_upload("m.bin", upload_id, [MultipartPart(1, etag)])
    assert keys(s3_env, prefix) == [f"{prefix}/m.bin"]


def test_abandoned_multipart_uploads_expire(s3_env: S3Server) -> None:
    prefix = f"unit/{uuid.uuid4().hex}"
    store = ObjectArtifactStore.from_uri(s3_env.uri(prefix))
    store.put("kept.txt", b"x")
    upload_id = store.create_multipart_upload("m.bin")
    store.upload_part("m.bin", upload_id, 1, b"abc")
    assert store.expire_multipart_uploads(older_than_s=3600) == 0  # just written: kept
    assert len(keys(s3_env, f"{prefix}/.ardea-mpu/")) == 2
    # A cutoff in the future makes every staged object look old enough.
    assert store.expire_multipart_uploads(older_than_s=-60) == 1
    assert keys(s3_env, prefix) == [f"{prefix}/kept.txt"]


def test_percent_escapes_stay_literal_keys(s3_env: S3Server) -> None:
    prefix = f"unit/{uuid.uuid4().hex}"
    store = ObjectArtifactStore.from_uri(s3_env.uri(prefix))
    store.put("%2e%2e/x", b"p")
    assert keys(s3_env, prefix) == [f"{prefix}/%2e%2e/x"]
    assert store.get("%2e%2e/x") == b"p"


def test_not_an_object_store_uri() -> None:
    with pytest.raises(InvalidArgumentError):
        ObjectArtifactStore.from_uri("/local/path")
