"""ArdeaClient's model registry methods and ``ardea.register_model`` on an embedded store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import ardea
from ardea import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea.client import ArdeaClient


@pytest.fixture(params=["folder", "sqlite"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArdeaClient]:
    uri = str(tmp_path / "data") if request.param == "folder" else f"sqlite:///{tmp_path}/r.db"
    c = ArdeaClient(uri)
    yield c
    c.close()


def _run_with_model(client: ArdeaClient, tmp_path: Path) -> str:
    exp = client.create_experiment("models")
    run = client.create_run(exp)
    src = tmp_path / "model"
    src.mkdir()
    (src / "weights.txt").write_text("42")
    client.log_artifacts(run.info.run_id, str(src), "model")
    return run.info.run_id


def test_registered_model_crud(client: ArdeaClient) -> None:
    created = client.create_registered_model("fraud", tags={"team": "risk"}, description="d")
    assert (created.name, created.tags, created.description) == ("fraud", {"team": "risk"}, "d")
    with pytest.raises(AlreadyExistsError):
        client.create_registered_model("fraud")
    client.set_registered_model_tag("fraud", "tier", 1)
    client.delete_registered_model_tag("fraud", "team")
    client.update_registered_model("fraud", description="new")
    renamed = client.rename_registered_model("fraud", "fraud2")
    assert renamed.name == "fraud2"
    got = client.get_registered_model("fraud2")
    assert (got.tags, got.description) == ({"tier": "1"}, "new")
    assert [m.name for m in client.search_registered_models("name LIKE 'fraud%'")] == ["fraud2"]
    client.delete_registered_model("fraud2")
    with pytest.raises(NotFoundError):
        client.get_registered_model("fraud2")


def test_versions_aliases_and_tags(client: ArdeaClient, tmp_path: Path) -> None:
    run_id = _run_with_model(client, tmp_path)
    v1 = client.register_model(f"runs:/{run_id}/model", "fraud", tags={"stage": "dev"})
    v2 = client.register_model(f"runs:/{run_id}/model", "fraud")
    assert (v1.version, v2.version, v1.run_id, v1.tags) == (1, 2, run_id, {"stage": "dev"})
    client.set_registered_model_alias("fraud", "champion", 1)
    assert client.get_model_version_by_alias("fraud", "champion").version == 1
    assert client.get_model_version_by_alias("fraud", "latest").version == 2
    client.set_model_version_tag("fraud", 2, "ok", True)
    client.delete_model_version_tag("fraud", 1, "stage")
    client.update_model_version("fraud", 2, description="better")
    got = client.get_model_version("fraud", 2)
    assert (got.tags, got.description) == ({"ok": "True"}, "better")
    assert client.get_model_version("fraud", 1).tags == {}
    found = client.search_model_versions(f"run_id = '{run_id}'")
    assert sorted(v.version for v in found) == [1, 2]
    moved = client.transition_model_version_stage("fraud", 2, "production")
    assert moved.current_stage == "Production"
    assert [v.version for v in client.get_latest_versions("fraud", ["Production"])] == [2]
    client.delete_registered_model_alias("fraud", "champion")
    with pytest.raises(InvalidArgumentError):
        client.get_model_version_by_alias("fraud", "champion")
    client.delete_model_version("fraud", 1)
    with pytest.raises(NotFoundError):
        client.get_model_version("fraud", 1)


def test_models_uris_resolve_and_download(client: ArdeaClient, tmp_path: Path) -> None:
    run_id = _run_with_model(client, tmp_path)
    client.register_model(f"runs:/{run_id}/model", "fraud")
    client.set_registered_model_alias("fraud", "champion", 1)
    uri = client.get_model_version_download_uri("fraud", 1)
    assert client.resolve_model_uri("models:/fraud@champion") == uri
    assert client.resolve_model_uri("models:/fraud/1") == uri
    local = Path(client.download_model("models:/fraud@champion", str(tmp_path / "dl")))
    assert (local / "weights.txt").read_text() == "42"
    with pytest.raises(InvalidArgumentError):
        client.resolve_model_uri("runs:/x/y")
    with pytest.raises(NotFoundError):
        client.resolve_model_uri("models:/nope/1")


def test_fluent_register_model(tmp_path: Path) -> None:
    ardea.set_tracking_uri(str(tmp_path / "data"))
    try:
        ardea.set_experiment("fluent-models")
        src = tmp_path / "m"
        src.mkdir()
        (src / "f.txt").write_text("x")
        with ardea.start_run() as run:
            ardea.log_artifacts(str(src), "model")
        version = ardea.register_model(f"runs:/{run.info.run_id}/model", "m", tags={"a": "b"})
        assert (version.name, version.version, version.tags) == ("m", 1, {"a": "b"})
        assert ardea.register_model(f"runs:/{run.info.run_id}/model", "m").version == 2
        out = Path(ardea.download_model("models:/m/1", str(tmp_path / "out")))
        assert (out / "f.txt").read_text() == "x"
    finally:
        ardea.set_tracking_uri(None)


def test_artifact_store_follows_a_moving_alias(client: ArdeaClient, tmp_path: Path) -> None:
    exp = client.create_experiment("aliases")
    for i in (1, 2):
        run = client.create_run(exp)
        client.log_text(run.info.run_id, f"v{i}", "model/which.txt")
        client.register_model(f"runs:/{run.info.run_id}/model", "moving")
    client.set_registered_model_alias("moving", "prod", 1)
    assert client.get_artifact_store("models:/moving@prod").get("which.txt") == b"v1"
    client.set_registered_model_alias("moving", "prod", 2)
    assert client.get_artifact_store("models:/moving@prod").get("which.txt") == b"v2"
