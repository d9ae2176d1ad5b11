"""RegistryStore contract, model versions: create, update, delete, tags, search, sources and
download URIs, stages, latest versions and aliases (SQLite, PostgreSQL, REST)."""

from __future__ import annotations

from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.store.registry import RegistryStore
from fixtures import registry_backends as rb
from fixtures.registry_backends import RegistryEnv

backend = rb.backend  # the fixtures, shared with the other registry suite
reg = rb.reg
postgres_registry_backend = rb.postgres_registry_backend


def test_create_and_get_versions(backend: RegistryEnv) -> None:
    reg = backend.registry
    reg.create_registered_model("m")
    run = backend.tracking.create_run("0")
    v1 = reg.create_model_version(
        "m",
        f"runs:/{run.info.run_id}/model",
        run_id=run.info.run_id,
        tags={"k": "v"},
        description="first",
        run_link="http://x",
    )
    assert (v1.name, v1.version, v1.current_stage, v1.status) == ("m", 1, "None", "READY")
    assert v1.run_id == run.info.run_id and v1.tags == {"k": "v"} and v1.description == "first"
    assert reg.get_model_version("m", "1") == v1
    assert reg.create_model_version("m", "s3://b/2").version == 2
    model = reg.get_registered_model("m")
    assert model.last_updated_timestamp >= v1.creation_timestamp
    assert [v.version for v in model.latest_versions] == [2]
    with pytest.raises(NotFoundError, match="Registered Model with name=nope"):
        reg.create_model_version("nope", "s3://b/x")
    with pytest.raises(InvalidArgumentError, match="source"):
        reg.create_model_version("m", "")
    with pytest.raises(NotFoundError, match=r"Model Version \(name=m, version=9\) not found"):
        reg.get_model_version("m", 9)
    for bad in ["abc", "1.5", True]:
        with pytest.raises(InvalidArgumentError):
            reg.get_model_version("m", bad)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        reg.get_model_version("m", "0")


def test_update_and_delete_version_never_reuses_numbers(reg: RegistryStore) -> None:
    reg.create_registered_model("m")
    for i in range(3):
        reg.create_model_version("m", f"s3://b/{i}")
    assert reg.update_model_version("m", 2, description="new").description == "new"
    reg.set_registered_model_alias("m", "a", 3)
    reg.delete_model_version("m", 3)
    with pytest.raises(NotFoundError):
        reg.get_model_version("m", 3)
    with pytest.raises(NotFoundError):
        reg.delete_model_version("m", 3)
    assert reg.get_registered_model("m").aliases == []
    assert reg.create_model_version("m", "s3://b/x").version == 4
    assert [v.version for v in reg.search_model_versions("name = 'm'")] == [4, 2, 1]


def test_version_tags(reg: RegistryStore) -> None:
    reg.create_registered_model("m")
    reg.create_model_version("m", "s3://b/1")
    reg.set_model_version_tag("m", 1, "k", "v")
    reg.set_model_version_tag("m", "1", "k", "v2")
    assert reg.get_model_version("m", 1).tags == {"k": "v2"}
    reg.delete_model_version_tag("m", 1, "k")
    assert reg.get_model_version("m", 1).tags == {}
    with pytest.raises(NotFoundError):
        reg.set_model_version_tag("m", 2, "k", "v")
    with pytest.raises(InvalidArgumentError):
        reg.set_model_version_tag("m", 1, "", "v")


def test_search_model_versions(backend: RegistryEnv) -> None:
    reg = backend.registry
    runs = [backend.tracking.create_run("0").info.run_id for _ in range(2)]
    for name in ["a", "b"]:
        reg.create_registered_model(name)
        for i in range(3):
            reg.create_model_version(
                name, f"s3://bucket/{name}/{i}", run_id=runs[i % 2], tags={"i": str(i)}
            )

    def keys(page: Any) -> list[tuple[str, int]]:
        return [(v.name, v.version) for v in page]

    assert keys(reg.search_model_versions()) == [
        ("a", 3),
        ("a", 2),
        ("a", 1),
        ("b", 3),
        ("b", 2),
        ("b", 1),
    ]
    assert keys(reg.search_model_versions("name = 'b' AND version_number >= 2")) == [
        ("b", 3),
        ("b", 2),
    ]
    assert keys(reg.search_model_versions(f"run_id = '{runs[1]}'")) == [("a", 2), ("b", 2)]
    assert len(reg.search_model_versions(f"run_id IN ('{runs[0]}', '{runs[1]}')")) == 6
    assert keys(reg.search_model_versions("source_path LIKE '%/a/0'")) == [("a", 1)]
    assert keys(reg.search_model_versions("name = 'a' AND tags.i = '2'")) == [("a", 3)]
    assert keys(reg.search_model_versions("name IN ('a')", order_by=["version_number ASC"])) == [
        ("a", 1),
        ("a", 2),
        ("a", 3),
    ]
    first = reg.search_model_versions(max_results=4)
    assert first.token is not None
    rest = reg.search_model_versions(max_results=4, page_token=first.token)
    assert keys(first) + keys(rest) == keys(reg.search_model_versions())
    assert rest.token is None
    for bad in ["version_number = 'x'", "run_id IS NULL", "stage = 'None'", "name = 'a' OR x"]:
        with pytest.raises(InvalidArgumentError):
            reg.search_model_versions(bad)


def test_download_uri_and_sources(backend: RegistryEnv) -> None:
    reg, tracking = backend.registry, backend.tracking
    run = tracking.create_run("0")
    logged = tracking.create_logged_model("0", name="clf", source_run_id=run.info.run_id)
    reg.create_registered_model("m")
    plain = reg.create_model_version("m", "s3://bucket/model")
    assert reg.get_model_version_download_uri("m", plain.version) == "s3://bucket/model"
    from_logged = reg.create_model_version(
        "m", f"models:/{logged.model_id}", model_id=logged.model_id
    )
    assert from_logged.run_id == run.info.run_id  # filled from the logged model
    assert from_logged.model_id == logged.model_id
    assert reg.get_model_version_download_uri("m", 2) == logged.artifact_location
    reg.set_registered_model_alias("m", "champ", 2)
    reg.create_registered_model("copy")
    by_alias = reg.create_model_version("copy", "models:/m@champ")
    assert reg.get_model_version_download_uri("copy", by_alias.version) == logged.artifact_location
    by_number = reg.create_model_version("copy", "models:/m/1")
    assert reg.get_model_version_download_uri("copy", by_number.version) == "s3://bucket/model"
    for bad in ["models:/m-doesnotexist", "models:/m/9", "models:/m@nope"]:
        with pytest.raises(InvalidArgumentError):
            reg.create_model_version("copy", bad)
    assert len(reg.search_model_versions("name = 'copy'")) == 2  # failures stored nothing


def test_transition_stage_and_latest_versions(reg: RegistryStore) -> None:
    reg.create_registered_model("m")
    for i in range(4):
        reg.create_model_version("m", f"s3://b/{i}")
    assert reg.transition_model_version_stage("m", 1, "production").current_stage == "Production"
    reg.transition_model_version_stage("m", 2, "Staging")
    moved = reg.transition_model_version_stage("m", 3, "PRODUCTION", archive_existing_versions=True)
    assert moved.current_stage == "Production"
    assert reg.get_model_version("m", 1).current_stage == "Archived"
    assert reg.get_model_version("m", 2).current_stage == "Staging"
    latest = {v.current_stage: v.version for v in reg.get_latest_versions("m")}
    assert latest == {"Archived": 1, "Staging": 2, "Production": 3, "None": 4}
    assert [v.version for v in reg.get_latest_versions("m", ["staging", "Production"])] == [2, 3]
    stages = {v.current_stage: v.version for v in reg.get_registered_model("m").latest_versions}
    assert stages == latest
    with pytest.raises(InvalidArgumentError):
        reg.transition_model_version_stage("m", 1, "Retired")
    with pytest.raises(InvalidArgumentError):
        reg.transition_model_version_stage("m", 1, "Archived", archive_existing_versions=True)
    with pytest.raises(InvalidArgumentError):
        reg.get_latest_versions("m", ["bogus"])
    assert reg.get_model_version("m", 1).current_stage == "Archived"  # failures changed nothing
    with pytest.raises(NotFoundError):
        reg.get_latest_versions("nope")


def test_aliases(reg: RegistryStore) -> None:
    reg.create_registered_model("m")
    for i in range(3):
        reg.create_model_version("m", f"s3://b/{i}")
    reg.set_registered_model_alias("m", "champion", 1)
    reg.set_registered_model_alias("m", "challenger", "2")
    assert reg.get_model_version_by_alias("m", "champion").aliases == ["champion"]
    reg.set_registered_model_alias("m", "champion", 2)  # moves
    got = reg.get_model_version_by_alias("m", "champion")
    assert got.version == 2 and got.aliases == ["challenger", "champion"]
    model = reg.get_registered_model("m")
    assert [(a.alias, a.version) for a in model.aliases] == [("challenger", 2), ("champion", 2)]
    assert reg.get_model_version_by_alias("m", "latest").version == 3
    assert reg.get_model_version_by_alias("m", "LATEST").version == 3
    for reserved in ["latest", "Latest", "v1", "V12"]:
        with pytest.raises(InvalidArgumentError, match="reserved"):
            reg.set_registered_model_alias("m", reserved, 1)
    for bad in ["", "has space", "a/b", "x" * 256]:
        with pytest.raises(InvalidArgumentError):
            reg.set_registered_model_alias("m", bad, 1)
    with pytest.raises(NotFoundError):
        reg.set_registered_model_alias("m", "ghost", 9)
    reg.delete_registered_model_alias("m", "champion")
    reg.delete_registered_model_alias("m", "champion")  # absent: no error, as MLflow
    with pytest.raises(InvalidArgumentError, match="alias champion not found"):
        reg.get_model_version_by_alias("m", "champion")
    with pytest.raises(NotFoundError):
        reg.get_model_version_by_alias("nope", "champion")
    reg.create_registered_model("empty")
    with pytest.raises(NotFoundError, match="Latest version not found"):
        reg.get_model_version_by_alias("empty", "latest")


def test_wire_searches_say_what_the_entities_say(reg: RegistryStore) -> None:
    """``search_*_wire`` (the SQL store builds it from rows) equals converting the entities."""
    from ardea.api.registry_json import model_version_to_json, registered_model_to_json

    reg.create_registered_model("a", tags={"t2": "2", "t1": "1"}, description="")
    reg.create_registered_model("b", description="about b")
    reg.create_model_version("a", "s3://b/1", tags={"vt": "x", "at": "y"}, description="d")
    reg.create_model_version("a", "s3://b/2", run_link="http://x/r", user_id="u")
    reg.create_model_version("b", "s3://b/3")
    reg.transition_model_version_stage("a", 2, "Production")
    reg.set_registered_model_alias("a", "champion", 1)
    reg.set_registered_model_alias("a", "backup", 1)
    searches: list[dict[str, Any]] = [
        {},
        {"filter_string": "name = 'a'"},
        {"max_results": 1},
        {"max_results": 1, "page_token": reg.search_registered_models(max_results=1).token},
        {"order_by": ["name DESC"]},
    ]
    for kwargs in searches:
        page = reg.search_registered_models(**kwargs)
        wire = reg.search_registered_models_wire(**kwargs)
        assert list(wire) == [registered_model_to_json(m) for m in page] and len(page) > 0
        assert wire.token == page.token
    a = next(iter(reg.search_registered_models_wire(filter_string="name = 'a'")))
    assert [t["key"] for t in a["tags"]] == ["t1", "t2"]
    assert [v["version"] for v in a["latest_versions"]] == ["1", "2"]  # None, Production
    for kwargs in [{}, {"filter_string": "name = 'a'"}, {"order_by": ["version_number ASC"]}]:
        versions = reg.search_model_versions(**kwargs)
        wire = reg.search_model_versions_wire(**kwargs)
        assert list(wire) == [model_version_to_json(v) for v in versions] and len(versions) > 0
    v1 = next(iter(reg.search_model_versions_wire(filter_string="name = 'a'", max_results=10)))
    assert v1["version"] == "2"  # name ASC, version DESC
    first = next(v for v in reg.search_model_versions_wire() if v["version"] == "1")
    assert sorted(first["aliases"]) == ["backup", "champion"]
    assert first["tags"] == [{"key": "at", "value": "y"}, {"key": "vt", "value": "x"}]
