"""``models:/`` URIs: parsing, and resolution through a real SQLite registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.store.registry import RegistryStore
from ardea.store.registry_uri import (
    ModelUri,
    parse_model_uri,
    resolve_download_uri,
    resolve_model_version,
)
from ardea.store.sql.backend import open_sql_backend
from ardea.store.tracking import TrackingStore


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("models:/fraud/3", ModelUri(name="fraud", version=3)),
        ("models:/fraud@champion", ModelUri(name="fraud", alias="champion")),
        ("models:/fraud/latest", ModelUri(name="fraud", alias="latest")),
        ("models:/fraud/Latest", ModelUri(name="fraud", alias="latest")),
        ("models:/fraud/production", ModelUri(name="fraud", stage="Production")),
        ("models:/m-0123abcd", ModelUri(model_id="m-0123abcd")),
        ("models:/fraud/3/", ModelUri(name="fraud", version=3)),
    ],
)
def test_parse(uri: str, expected: ModelUri) -> None:
    assert parse_model_uri(uri) == expected


@pytest.mark.parametrize(
    "uri",
    [
        "runs:/abc/model",
        "models:/",
        "models:/a/b/c",
        "models:/fraud/retired",
        "models:/fraud/0",
        "models:/@alias",
        "models:/name@",
        "models://host/fraud/1",
    ],
)
def test_parse_rejects(uri: str) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_model_uri(uri)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[TrackingStore, RegistryStore]]:
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'r.db'}")
    yield backend.tracking, backend.registry
    backend.close()


def test_resolve(stores: tuple[TrackingStore, RegistryStore]) -> None:
    tracking, registry = stores
    registry.create_registered_model("fraud")
    for i in range(3):
        registry.create_model_version("fraud", f"s3://b/{i}")
    registry.set_registered_model_alias("fraud", "champion", 2)
    registry.transition_model_version_stage("fraud", 1, "Production")
    assert resolve_model_version(registry, "models:/fraud/3").version == 3
    assert resolve_model_version(registry, "models:/fraud@champion").version == 2
    assert resolve_model_version(registry, "models:/fraud@latest").version == 3
    assert resolve_model_version(registry, "models:/fraud/Production").version == 1
    assert resolve_download_uri("models:/fraud@champion", registry) == "s3://b/1"
    with pytest.raises(NotFoundError):
        resolve_model_version(registry, "models:/fraud/Staging")
    with pytest.raises(NotFoundError):
        resolve_model_version(registry, "models:/fraud/9")
    logged = tracking.create_logged_model("0", name="clf")
    uri = f"models:/{logged.model_id}"
    assert resolve_download_uri(uri, registry, tracking) == logged.artifact_location
    with pytest.raises(InvalidArgumentError):
        resolve_model_version(registry, uri)
    with pytest.raises(InvalidArgumentError):
        resolve_download_uri(uri, registry)
