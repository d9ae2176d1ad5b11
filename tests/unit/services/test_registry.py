"""register_model over the store contracts: runs:/ and models:/ URIs, SQL and REST registries."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.services.registry import register_model, resolve_registration_source
from ardea.store.backend import Backend
from ardea.store.registry import RegistryStore
from ardea.store.sql.backend import open_sql_backend
from ardea.store.tracking import TrackingStore

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Backend]:
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'r.db'}")
    yield backend
    backend.close()


@pytest.fixture
def tracking(local: Backend) -> TrackingStore:
    return local.tracking


@pytest.fixture(params=["sql", "rest"])
def registry(request: pytest.FixtureRequest, local: Backend) -> Iterator[RegistryStore]:
    if request.param == "sql":
        yield local.registry
        return
    from ardea.store.rest.registry import RestRegistryStore
    from fixtures.backends import served

    with served(local) as remote:
        assert isinstance(remote.registry, RestRegistryStore)
        yield remote.registry


def test_register_from_run_artifacts_and_logged_model(
    tracking: TrackingStore, registry: RegistryStore
) -> None:
    run = tracking.create_run("0")
    run_id = run.info.run_id
    v1 = register_model(tracking, registry, f"runs:/{run_id}/weights", "fraud", tags={"k": "v"})
    assert (v1.version, v1.run_id, v1.tags) == (1, run_id, {"k": "v"})
    assert v1.source == f"{run.info.artifact_uri}/weights"

    logged = tracking.create_logged_model("0", name="model", source_run_id=run_id)
    v2 = register_model(tracking, registry, f"runs:/{run_id}/model", "fraud")
    assert v2.version == 2 and v2.source == f"models:/{logged.model_id}"
    assert v2.model_id == logged.model_id
    assert registry.get_model_version_download_uri("fraud", 2) == logged.artifact_location

    v3 = register_model(tracking, registry, f"models:/{logged.model_id}", "other")
    assert (v3.version, v3.run_id) == (1, run_id)
    assert registry.get_registered_model("other").name == "other"


def test_bad_uris(tracking: TrackingStore, registry: RegistryStore) -> None:
    with pytest.raises(InvalidArgumentError):
        resolve_registration_source(tracking, "runs:/only-run-id")
    with pytest.raises(NotFoundError):
        register_model(tracking, registry, "runs:/" + "0" * 32 + "/model", "m")
    with pytest.raises(NotFoundError):
        register_model(tracking, registry, "models:/m-missing", "m")
