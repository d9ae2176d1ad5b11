"""RegistryStore contract, registered models: create, rename, update, delete, tags, search,
prompt exclusion, input checks and concurrent version numbering (SQLite, PostgreSQL, REST)."""

from __future__ import annotations

import threading

import pytest

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea.entities.registry import PROMPT_TAG
from ardea.store.registry import RegistryStore
from fixtures import registry_backends as rb
from fixtures.registry_backends import RegistryEnv, names

backend = rb.backend  # the fixtures, shared with the other registry suite
reg = rb.reg
postgres_registry_backend = rb.postgres_registry_backend

# -- registered models -------------------------------------------------------------------------


def test_create_get_and_duplicate(reg: RegistryStore) -> None:
    created = reg.create_registered_model("fraud", tags={"team": "risk"}, description="d")
    assert created.name == "fraud" and created.tags == {"team": "risk"}
    assert created.description == "d"
    assert created.creation_timestamp == created.last_updated_timestamp > 0
    got = reg.get_registered_model("fraud")
    assert got == created
    with pytest.raises(AlreadyExistsError, match=r"Registered Model \(name=fraud\) already"):
        reg.create_registered_model("fraud", description="other")
    assert reg.get_registered_model("fraud").description == "d"  # unchanged
    with pytest.raises(NotFoundError, match="Registered Model with name=nope not found"):
        reg.get_registered_model("nope")


@pytest.mark.parametrize("bad", ["", "  ", "a/b", "a:b", "..", "x" * 257])
def test_bad_names_are_invalid_and_store_nothing(reg: RegistryStore, bad: str) -> None:
    with pytest.raises(InvalidArgumentError):
        reg.create_registered_model(bad)
    assert list(reg.search_registered_models()) == []


def test_bad_tags_are_invalid(reg: RegistryStore) -> None:
    with pytest.raises(InvalidArgumentError):
        reg.create_registered_model("m", tags={"../x": "v"})
    with pytest.raises(InvalidArgumentError):
        reg.create_registered_model("m", tags={"k": "v" * 100_001})
    with pytest.raises(NotFoundError):
        reg.get_registered_model("m")


def test_rename_moves_versions_tags_and_aliases(reg: RegistryStore) -> None:
    reg.create_registered_model("old", tags={"t": "1"})
    reg.create_model_version("old", "s3://b/1", tags={"vt": "x"})
    reg.create_model_version("old", "s3://b/2")
    reg.set_registered_model_alias("old", "champion", 1)
    reg.create_registered_model("taken")
    with pytest.raises(AlreadyExistsError):
        reg.rename_registered_model("old", "taken")
    renamed = reg.rename_registered_model("old", "new")
    assert renamed.name == "new" and renamed.tags == {"t": "1"}
    assert [(a.alias, a.version) for a in renamed.aliases] == [("champion", 1)]
    with pytest.raises(NotFoundError):
        reg.get_registered_model("old")
    v1 = reg.get_model_version("new", 1)
    assert v1.tags == {"vt": "x"} and v1.aliases == ["champion"]
    assert reg.get_model_version_by_alias("new", "champion").version == 1
    assert reg.create_model_version("new", "s3://b/3").version == 3
    with pytest.raises(NotFoundError):
        reg.rename_registered_model("missing", "other")
    with pytest.raises(InvalidArgumentError):
        reg.rename_registered_model("new", "")


def test_update_description(reg: RegistryStore) -> None:
    before = reg.create_registered_model("m", description="a")
    after = reg.update_registered_model("m", description="b")
    assert after.description == "b"
    assert after.last_updated_timestamp >= before.last_updated_timestamp
    assert reg.update_registered_model("m").description == "b"  # None leaves it
    with pytest.raises(NotFoundError):
        reg.update_registered_model("nope", description="x")


def test_delete_cascades(reg: RegistryStore) -> None:
    reg.create_registered_model("m", tags={"t": "1"})
    reg.create_model_version("m", "s3://b/1", tags={"k": "v"})
    reg.set_registered_model_alias("m", "a", 1)
    reg.delete_registered_model("m")
    with pytest.raises(NotFoundError):
        reg.get_registered_model("m")
    assert list(reg.search_model_versions("name = 'm'")) == []
    again = reg.create_registered_model("m")
    assert again.tags == {} and again.aliases == [] and again.latest_versions == []
    fresh = reg.create_model_version("m", "s3://b/new")
    assert fresh.version == 1 and fresh.tags == {}
    with pytest.raises(NotFoundError):
        reg.delete_registered_model("never")


def test_registered_model_tags(reg: RegistryStore) -> None:
    reg.create_registered_model("m")
    reg.set_registered_model_tag("m", "k", "v1")
    reg.set_registered_model_tag("m", "k", "v2")
    reg.set_registered_model_tag("m", "other", "")
    assert reg.get_registered_model("m").tags == {"k": "v2", "other": ""}
    reg.delete_registered_model_tag("m", "k")
    reg.delete_registered_model_tag("m", "k")  # absent: no error, as MLflow
    assert reg.get_registered_model("m").tags == {"other": ""}
    with pytest.raises(NotFoundError):
        reg.set_registered_model_tag("nope", "k", "v")


def test_search_registered_models_filters_order_and_pages(reg: RegistryStore) -> None:
    for name in ["alpha", "Beta", "beta-2", "gamma"]:
        reg.create_registered_model(name, tags={"team": "a" if "eta" in name else "b"})
    assert names(reg.search_registered_models()) == ["Beta", "alpha", "beta-2", "gamma"]
    assert names(reg.search_registered_models("name = 'alpha'")) == ["alpha"]
    assert names(reg.search_registered_models("name LIKE 'beta%'")) == ["beta-2"]
    assert names(reg.search_registered_models("name ILIKE 'beta%'")) == ["Beta", "beta-2"]
    assert names(reg.search_registered_models("name IN ('gamma', 'alpha')")) == [
        "alpha",
        "gamma",
    ]
    assert names(reg.search_registered_models("tags.team = 'a'")) == ["Beta", "beta-2"]
    assert names(reg.search_registered_models("tags.team != 'a' AND name LIKE '%a'")) == [
        "alpha",
        "gamma",
    ]
    assert names(reg.search_registered_models(order_by=["name DESC"])) == [
        "gamma",
        "beta-2",
        "alpha",
        "Beta",
    ]
    reg.update_registered_model("alpha", description="touched")
    newest = reg.search_registered_models(order_by=["last_updated_timestamp DESC"])
    assert newest[0].name == "alpha"
    pages, token = [], None
    while True:
        page = reg.search_registered_models(max_results=3, page_token=token)
        pages.append(names(page))
        token = page.token
        if token is None:
            break
    assert pages == [["Beta", "alpha", "beta-2"], ["gamma"]]
    for bad_filter in ["name = 'a' OR name = 'b'", "foo = 'x'", "name = alpha", "tags.t IS NULL"]:
        with pytest.raises(InvalidArgumentError):
            reg.search_registered_models(bad_filter)
    with pytest.raises(InvalidArgumentError):
        reg.search_registered_models(order_by=["version_number"])
    with pytest.raises(InvalidArgumentError):
        reg.search_registered_models(max_results=1001)
    with pytest.raises(InvalidArgumentError):
        reg.search_registered_models(page_token="not-a-token!")


def test_prompts_are_excluded_unless_asked_for(reg: RegistryStore) -> None:
    reg.create_registered_model("model")
    reg.create_registered_model("prompt", tags={PROMPT_TAG: "true"})
    reg.create_model_version("model", "s3://b/m")
    reg.create_model_version("prompt", "dummy-source", tags={PROMPT_TAG: "true"})
    assert names(reg.search_registered_models()) == ["model"]
    assert names(reg.search_registered_models(f"tags.`{PROMPT_TAG}` = 'true'")) == ["prompt"]
    assert names(reg.search_registered_models(f"tags.`{PROMPT_TAG}` != 'false'")) == ["prompt"]
    assert names(reg.search_registered_models(f"tags.`{PROMPT_TAG}` = 'false'")) == ["model"]
    assert names(reg.search_model_versions()) == ["model"]
    assert names(reg.search_model_versions(f"tags.`{PROMPT_TAG}` = 'true'")) == ["prompt"]
    assert reg.get_registered_model("prompt").is_prompt  # direct gets still work


# -- model versions ----------------------------------------------------------------------------


def test_concurrent_registrations_get_unique_gapless_numbers(backend: RegistryEnv) -> None:
    """8 threads, each with its own store and connections, register versions of one model."""
    backend.registry.create_registered_model("race")
    threads_n, per_thread = 8, 5
    stores = [backend.open_independent() for _ in range(threads_n)]
    barrier = threading.Barrier(threads_n)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(store: RegistryStore, index: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                v = store.create_model_version("race", f"s3://b/{index}/{i}")
                with lock:
                    results.append(v.version)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, i)) for i, s in enumerate(stores)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for s in stores:
        s.close()
    assert errors == []
    total = threads_n * per_thread
    assert sorted(results) == list(range(1, total + 1))
    stored = backend.registry.search_model_versions("name = 'race'", max_results=1000)
    assert sorted(v.version for v in stored) == list(range(1, total + 1))
    assert len({v.source for v in stored}) == total


def test_nul_characters_are_invalid_everywhere(reg: RegistryStore) -> None:
    """PostgreSQL cannot hold NUL; every backend refuses it the same way (never a 500)."""
    reg.create_registered_model("m")
    reg.create_model_version("m", "s3://b/1")
    calls = [
        lambda: reg.create_registered_model("a\x00b"),
        lambda: reg.get_registered_model("a\x00b"),
        lambda: reg.create_registered_model("n", description="d\x00"),
        lambda: reg.set_registered_model_tag("m", "k", "v\x00"),
        lambda: reg.create_model_version("m", "s3://b/\x00"),
        lambda: reg.create_model_version("m", "s3://b/2", run_id="r\x00"),
        lambda: reg.search_registered_models("name = 'a\x00'"),
        lambda: reg.search_model_versions("tags.k = '\x00'"),
        lambda: reg.get_model_version_by_alias("m", "a\x00"),
    ]
    for call in calls:
        with pytest.raises(InvalidArgumentError):
            call()
    assert [v.version for v in reg.search_model_versions("name = 'm'")] == [1]
    assert reg.get_registered_model("m").tags == {}
