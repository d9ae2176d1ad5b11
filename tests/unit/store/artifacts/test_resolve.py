"""resolve_artifact_store and split_artifact_uri: schemes, local paths, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.artifacts import (
    LocalArtifactStore,
    ObjectArtifactStore,
    resolve_artifact_store,
    split_artifact_uri,
)
from ardea.store.artifacts.resolve import absolute_location, is_local_uri, local_path


def test_plain_path_and_file_uris(tmp_path: Path) -> None:
    for uri in (str(tmp_path / "a"), f"file://{tmp_path}/a", f"file://localhost{tmp_path}/a"):
        store = resolve_artifact_store(uri)
        assert isinstance(store, LocalArtifactStore)
        assert store.root == (tmp_path / "a").resolve()
    store = resolve_artifact_store(f"file://{tmp_path}/with%20space")
    assert store.root.name == "with space"


def test_relative_plain_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = resolve_artifact_store("ardea-data/artifacts")
    assert isinstance(store, LocalArtifactStore)
    assert store.root == (tmp_path / "ardea-data" / "artifacts").resolve()


@pytest.mark.parametrize(
    "uri", ["ftp://host/x", "mlflow-artifacts:/1/abc", "http://x/y", "hdfs://nn/p", "dbfs:/x"]
)
def test_unknown_schemes_name_the_supported_ones(uri: str) -> None:
    with pytest.raises(InvalidArgumentError) as err:
        resolve_artifact_store(uri)
    assert "s3://" in err.value.message and "file://" in err.value.message


@pytest.mark.parametrize("uri", ["file://otherhost/x", "file://", "", "s3://", "s3:///prefix"])
def test_malformed_uris(uri: str) -> None:
    with pytest.raises(InvalidArgumentError):
        resolve_artifact_store(uri)


def test_object_store_schemes_build_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    for uri in ("s3://bucket/prefix", "s3a://bucket", "gs://bucket/p"):
        store = resolve_artifact_store(uri)
        assert isinstance(store, ObjectArtifactStore)
        assert store.uri == uri


def test_azure_without_an_account_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch):
    for var in ("AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_ACCOUNT"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(InvalidArgumentError):
        resolve_artifact_store("az://container/prefix")


def test_local_helpers(tmp_path: Path) -> None:
    assert is_local_uri("/a/b") and is_local_uri("file:///a") and is_local_uri("C:\\data")
    assert not is_local_uri("s3://b/p")
    assert local_path(f"file://{tmp_path}") == str(tmp_path)
    with pytest.raises(InvalidArgumentError):
        local_path("s3://b/p")


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://bucket/a/b/model.pkl", ("s3://bucket/a/b", "model.pkl")),
        ("s3://bucket/model.pkl", ("s3://bucket/", "model.pkl")),
        ("s3://bucket/dir/", ("s3://bucket/", "dir")),
        ("file:///data/x.txt", ("file:///data", "x.txt")),
        ("/data/a/x.txt", ("/data/a", "x.txt")),
        ("x.txt", (".", "x.txt")),
        ("gs://b/p/q", ("gs://b/p", "q")),
    ],
)
def test_split_artifact_uri(uri: str, expected: tuple[str, str]) -> None:
    assert split_artifact_uri(uri) == expected


@pytest.mark.parametrize("uri", ["", "/", "s3://bucket", "s3://bucket/"])
def test_split_needs_a_file(uri: str) -> None:
    with pytest.raises(InvalidArgumentError):
        split_artifact_uri(uri)


def test_importing_the_artifact_package_does_not_load_obstore() -> None:
    code = "import json, sys, ardea.store.artifacts; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = json.loads(out.stdout)
    assert "obstore" not in modules
    assert not [m for m in modules if m.split(".")[0] in ("fastapi", "sqlalchemy", "httpx")]


def test_relative_locations_become_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cwd = Path.cwd().as_posix()
    assert absolute_location("my_location") == f"{cwd}/my_location"
    assert absolute_location("file:rel/x?q=1") == f"file://{cwd}/rel/x?q=1"
    for kept in ("/abs/x", "file:///abs", "file://host/x", "s3://b/x", "mlflow-artifacts:/1"):
        assert absolute_location(kept) == kept
