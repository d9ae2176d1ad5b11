"""ScorerStore contract: versions per name, latest per name, get/delete by version, online
configs (stored only), bad input (nothing stored) over every backend (SQLite, REST,
PostgreSQL, MySQL, inside workspaces)."""

from __future__ import annotations

import json

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities.scorer import SERIALIZED_SCORER_MAX_BYTES
from ardea.store.backend import Backend
from ardea.store.scorers import ScorerStore


@pytest.fixture
def store(backend: Backend) -> ScorerStore:
    return backend.scorers


def _experiment(backend: Backend, name: str = "scorer-exp") -> str:
    return backend.tracking.create_experiment(name)


def _json(**values: object) -> str:
    return json.dumps(values)


def test_register_makes_versions_per_name(backend: Backend, store: ScorerStore) -> None:
    exp = _experiment(backend)
    one = store.register_scorer(exp, "polite", _json(v=1))
    two = store.register_scorer(exp, "polite", _json(v=2))
    other = store.register_scorer(exp, "short", _json(v=9))
    assert (one.version, two.version, other.version) == (1, 2, 1)
    assert one.scorer_id == two.scorer_id != other.scorer_id
    assert one.experiment_id == exp and one.name == "polite"
    assert two.creation_time >= one.creation_time > 0
    latest = store.list_scorers(exp)
    assert [(s.name, s.version) for s in latest] == [("polite", 2), ("short", 1)]
    assert latest[0] == two
    versions = store.list_scorer_versions(exp, "polite")
    assert [json.loads(v.serialized_scorer)["v"] for v in versions] == [1, 2]
    assert store.get_scorer(exp, "polite") == two
    assert store.get_scorer(exp, "polite", 1) == one


def test_names_are_per_experiment(backend: Backend, store: ScorerStore) -> None:
    a, b = _experiment(backend, "a"), _experiment(backend, "b")
    store.register_scorer(a, "s", _json())
    assert store.register_scorer(b, "s", _json()).version == 1
    assert store.list_scorers(b)[0].experiment_id == b


def test_delete_one_version_then_all(backend: Backend, store: ScorerStore) -> None:
    exp = _experiment(backend)
    first = store.register_scorer(exp, "s", _json(v=1))
    store.register_scorer(exp, "s", _json(v=2))
    store.upsert_online_scoring_config(exp, "s", 0.5)
    store.delete_scorer(exp, "s", 2)
    assert [v.version for v in store.list_scorer_versions(exp, "s")] == [1]
    assert store.get_scorer(exp, "s").version == 1
    store.delete_scorer(exp, "s")
    assert store.list_scorers(exp) == []
    assert store.get_online_scoring_configs([first.scorer_id]) == []
    for call in (
        lambda: store.get_scorer(exp, "s"),
        lambda: store.list_scorer_versions(exp, "s"),
        lambda: store.delete_scorer(exp, "s"),
    ):
        with pytest.raises(NotFoundError):
            call()
    # a name registered again starts over
    assert store.register_scorer(exp, "s", _json()).version == 1


def test_unknown_version_and_experiment(backend: Backend, store: ScorerStore) -> None:
    exp = _experiment(backend)
    store.register_scorer(exp, "s", _json())
    with pytest.raises(NotFoundError):
        store.get_scorer(exp, "s", 7)
    with pytest.raises(NotFoundError):
        store.delete_scorer(exp, "s", 7)
    with pytest.raises(NotFoundError):
        store.register_scorer("987654", "s", _json())
    with pytest.raises(NotFoundError):
        store.list_scorers("987654")
    assert [v.version for v in store.list_scorer_versions(exp, "s")] == [1]


def test_online_config_is_stored(backend: Backend, store: ScorerStore) -> None:
    exp = _experiment(backend)
    made = store.register_scorer(exp, "s", _json())
    other = store.register_scorer(exp, "plain", _json())
    config = store.upsert_online_scoring_config(exp, "s", 0.5, "status = 'OK'")
    assert (config.scorer_id, config.experiment_id) == (made.scorer_id, exp)
    assert (config.sample_rate, config.filter_string) == (0.5, "status = 'OK'")
    again = store.upsert_online_scoring_config(exp, "s", 0.0)
    assert again.online_scoring_config_id == config.online_scoring_config_id
    assert (again.sample_rate, again.filter_string) == (0.0, None)
    kept = store.upsert_online_scoring_config(exp, "s", None, "tags.x = '1'")
    assert (kept.sample_rate, kept.filter_string) == (0.0, "tags.x = '1'")
    with pytest.raises(InvalidArgumentError, match="filter_string"):  # refused, nothing changed
        store.upsert_online_scoring_config(exp, "s", 1.0, "x = 1")
    (same,) = store.get_online_scoring_configs([kept.scorer_id])
    assert (same.sample_rate, same.filter_string) == (0.0, "tags.x = '1'")
    assert store.get_online_scoring_configs([made.scorer_id, other.scorer_id, "nope"]) == [kept]
    assert store.get_online_scoring_configs([]) == []
    with pytest.raises(NotFoundError):
        store.upsert_online_scoring_config(exp, "missing", 0.5)
    for rate in (-0.1, 1.5):
        with pytest.raises(InvalidArgumentError):
            store.upsert_online_scoring_config(exp, "s", rate)
    assert store.get_online_scoring_configs([made.scorer_id]) == [kept]


def test_bad_input_stores_nothing(backend: Backend, store: ScorerStore) -> None:
    exp = _experiment(backend)
    too_big = _json(blob="x" * SERIALIZED_SCORER_MAX_BYTES)
    for name, text in (
        ("s", "{not json"),
        ("s", "[1, 2]"),
        ("s", too_big),
        ("", "{}"),
        ("x" * 256, "{}"),
    ):
        with pytest.raises(InvalidArgumentError):
            store.register_scorer(exp, name, text)
    with pytest.raises(InvalidArgumentError):
        store.register_scorer("not-a-number", "s", "{}")
    assert store.list_scorers(exp) == []
