"""DatasetStore contract: datasets, records (upsert identity and merge), tags, experiment links,
search, versions and diffs, bad input (nothing stored) over every backend (SQLite, REST,
PostgreSQL, MySQL, inside workspaces)."""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities.dataset_records import RECORD_MAX_BYTES
from ardea.store.backend import Backend
from ardea.store.datasets import DatasetStore


@pytest.fixture
def store(backend: Backend) -> DatasetStore:
    return backend.datasets


def _experiment(backend: Backend, name: str = "ds-exp") -> str:
    return backend.tracking.create_experiment(name)


def _records(store: DatasetStore, dataset_id: str, version: int | None = None) -> list:
    return list(store.get_records(dataset_id, version=version))


def test_create_get_and_delete(backend: Backend, store: DatasetStore) -> None:
    exp = _experiment(backend)
    made = store.create_dataset("qa", {"team": "x", "mlflow.user": "ann"}, [exp])
    assert made.dataset_id.startswith("d-") and len(made.dataset_id) == 34
    assert made.name == "qa" and made.version == 1
    assert made.tags == {"team": "x", "mlflow.user": "ann"}
    assert made.created_by == "ann" and made.experiment_ids == (exp,)
    assert made.schema is None and made.profile is None
    got = store.get_dataset(made.dataset_id)
    assert got == made
    assert store.get_experiment_ids(made.dataset_id) == [exp]
    store.delete_dataset(made.dataset_id)
    with pytest.raises(NotFoundError):
        store.get_dataset(made.dataset_id)
    with pytest.raises(NotFoundError):
        store.delete_dataset(made.dataset_id)


def test_names_are_not_unique(store: DatasetStore) -> None:
    a, b = store.create_dataset("same"), store.create_dataset("same")
    assert a.dataset_id != b.dataset_id


def test_an_unknown_experiment_is_refused(store: DatasetStore) -> None:
    with pytest.raises(NotFoundError):
        store.create_dataset("qa", experiment_ids=["987654"])
    assert list(store.search_datasets()) == []


def test_upsert_inserts_then_merges_by_inputs(store: DatasetStore) -> None:
    ds = store.create_dataset("qa").dataset_id
    done = store.upsert_records(
        ds,
        [
            {"inputs": {"q": "a"}, "expectations": {"x": 1}, "tags": {"k": "1"}},
            {"inputs": {"q": "b"}, "outputs": "B"},
            {"inputs": {"q": "a"}, "expectations": {"y": 2}},  # same inputs: merged
        ],
    )
    assert (done.inserted, done.updated, done.version) == (2, 1, 2)
    by_q = {r.inputs["q"]: r for r in _records(store, ds)}
    assert by_q["a"].expectations == {"x": 1, "y": 2} and by_q["a"].tags == {"k": "1"}
    assert by_q["b"].outputs == "B"
    assert by_q["a"].outputs == {}  # MLflow's default for a record without outputs
    first_id = by_q["a"].dataset_record_id
    done = store.upsert_records(ds, [{"inputs": {"q": "a"}, "outputs": {"a": 1}}])
    assert (done.inserted, done.updated, done.version) == (0, 1, 3)
    again = {r.inputs["q"]: r for r in _records(store, ds)}
    assert again["a"].dataset_record_id == first_id  # the same record, a new version of it
    assert again["a"].outputs == {"a": 1} and again["a"].expectations == {"x": 1, "y": 2}
    meta = store.get_dataset(ds)
    assert meta.version == 3 and meta.profile == '{"num_records":2}'
    assert '"q":"string"' in (meta.schema or "")


def test_an_upsert_that_changes_nothing_makes_no_version(store: DatasetStore) -> None:
    ds = store.create_dataset("qa").dataset_id
    store.upsert_records(ds, [{"inputs": {"q": 1}, "expectations": {"e": 1}}])
    digest = store.get_dataset(ds).digest
    done = store.upsert_records(ds, [{"inputs": {"q": 1}, "expectations": {"e": 1}}])
    assert (done.inserted, done.updated, done.version) == (0, 1, 2)
    assert store.get_dataset(ds).digest == digest
    assert [v.version for v in store.list_versions(ds)] == [2, 1]


TRACE = {"trace_id": "tr-1"}
DOC = {"source_id": "doc"}


def test_sources_and_source_ids(store: DatasetStore) -> None:
    ds = store.create_dataset("qa").dataset_id
    store.upsert_records(
        ds,
        [
            {
                "inputs": {"q": 1},
                "source": {"source_type": "trace", "source_data": {"trace_id": "tr-1"}},
            },
            {
                "inputs": {"q": 2},
                "source": {"source_type": "DOCUMENT", "source_data": {"source_id": "doc"}},
            },
        ],
    )
    by_q = {r.inputs["q"]: r for r in _records(store, ds)}
    assert by_q[1].source_type == "TRACE" and by_q[1].source_id == "tr-1"
    assert by_q[1].source == {"source_type": "TRACE", "source_data": {"trace_id": "tr-1"}}
    assert by_q[2].source_type == "DOCUMENT" and by_q[2].source_id == "doc"


@pytest.mark.parametrize(
    "records",
    [
        [{"expectations": {"a": 1}}],  # no inputs
        [{"inputs": "text"}],  # inputs not an object
        [{"inputs": {"q": 1}, "expectations": [1, 2]}],
        [{"inputs": {"q": 1}, "source": {"source_type": "ROBOT"}}],
        ["not a record"],
        [{"inputs": {"q": "x" * (RECORD_MAX_BYTES + 1)}}],
    ],
)
def test_bad_records_are_refused_and_nothing_is_stored(store: DatasetStore, records: list) -> None:
    ds = store.create_dataset("qa").dataset_id
    store.upsert_records(ds, [{"inputs": {"q": "kept"}}])
    before = store.get_dataset(ds)
    with pytest.raises(InvalidArgumentError):
        store.upsert_records(ds, [{"inputs": {"q": "new"}}, *records])
    assert store.get_dataset(ds) == before
    assert [r.inputs for r in _records(store, ds)] == [{"q": "kept"}]


def test_records_page_in_creation_order(store: DatasetStore) -> None:
    ds = store.create_dataset("qa").dataset_id
    for i in range(5):
        store.upsert_records(ds, [{"inputs": {"i": i}}])
    seen, token = [], None
    while True:
        page = store.get_records(ds, max_results=2, page_token=token)
        seen += [r.inputs["i"] for r in page]
        token = page.token
        if not token:
            break
    assert seen == [0, 1, 2, 3, 4]


def test_delete_records(store: DatasetStore) -> None:
    ds = store.create_dataset("qa").dataset_id
    store.upsert_records(ds, [{"inputs": {"i": i}} for i in range(3)])
    ids = [r.dataset_record_id for r in _records(store, ds)]
    assert store.delete_records(ds, [ids[0], "dr-unknown"]) == 1
    assert store.delete_records(ds, ["dr-unknown"]) == 0
    assert [r.dataset_record_id for r in _records(store, ds)] == ids[1:]
    assert store.get_dataset(ds).profile == '{"num_records":2}'
    with pytest.raises(NotFoundError):
        store.delete_records("d-" + "0" * 32, ids)


def test_tags(store: DatasetStore) -> None:
    ds = store.create_dataset("qa", {"a": "1"}).dataset_id
    got = store.set_tags(ds, {"b": 2, "c": None})
    assert got.tags == {"a": "1", "b": "2"}
    store.delete_tag(ds, "a")
    store.delete_tag(ds, "not-there")
    assert store.get_dataset(ds).tags == {"b": "2"}
    assert [v.change for v in store.list_versions(ds)] == ["delete_tag", "set_tags", "create"]
    with pytest.raises(NotFoundError):
        store.set_tags("d-" + "0" * 32, {"a": "1"})


def test_experiment_links(backend: Backend, store: DatasetStore) -> None:
    e1, e2 = _experiment(backend, "one"), _experiment(backend, "two")
    ds = store.create_dataset("qa", experiment_ids=[e1]).dataset_id
    assert store.add_to_experiments(ds, [e2, e1]).experiment_ids == tuple(sorted([e1, e2], key=int))
    with pytest.raises(NotFoundError):
        store.add_to_experiments(ds, ["987654"])
    assert store.remove_from_experiments(ds, [e1, "987653"]).experiment_ids == (e2,)
    assert store.get_dataset(ds).version == 1  # links are not content: no version


def test_search(backend: Backend, store: DatasetStore) -> None:
    e1, e2 = _experiment(backend, "one"), _experiment(backend, "two")
    a = store.create_dataset("qa_alpha", {"env": "prod", "mlflow.user": "ann"}, [e1])
    b = store.create_dataset("qa_beta", {"env": "dev"}, [e2])
    c = store.create_dataset("other", {"env": "prod"}, [e1, e2])
    ids = lambda page: [d.dataset_id for d in page]  # noqa: E731
    assert ids(store.search_datasets()) == [c.dataset_id, b.dataset_id, a.dataset_id]
    assert ids(store.search_datasets(filter_string="name LIKE 'qa_%'", order_by=["name"])) == [
        a.dataset_id,
        b.dataset_id,
    ]
    assert ids(store.search_datasets(filter_string="tags.env = 'prod' AND name = 'other'")) == [
        c.dataset_id
    ]
    assert ids(store.search_datasets(filter_string='name = "qa_beta"')) == [b.dataset_id]
    assert ids(store.search_datasets(filter_string="created_by = 'ann'")) == [a.dataset_id]
    assert set(ids(store.search_datasets(experiment_ids=[e2]))) == {b.dataset_id, c.dataset_id}
    first = store.search_datasets(max_results=2)
    assert len(first) == 2 and first.token
    assert ids(store.search_datasets(max_results=2, page_token=first.token)) == [a.dataset_id]
    for bad in ("name = 'x' OR name = 'y'", "digest = 'x'", "created_time LIKE '1%'"):
        with pytest.raises(InvalidArgumentError):
            store.search_datasets(filter_string=bad)
    with pytest.raises(InvalidArgumentError):
        store.search_datasets(order_by=["digest"])


def test_versions_read_back_and_diff(store: DatasetStore) -> None:
    ds = store.create_dataset("qa", {"t": "1"}).dataset_id
    store.upsert_records(ds, [{"inputs": {"q": "a"}}, {"inputs": {"q": "b"}}])  # v2
    store.upsert_records(ds, [{"inputs": {"q": "a"}, "expectations": {"e": 1}}])  # v3
    b_id = next(r.dataset_record_id for r in _records(store, ds) if r.inputs["q"] == "b")
    store.delete_records(ds, [b_id])  # v4
    store.upsert_records(ds, [{"inputs": {"q": "c"}}])  # v5
    store.set_tags(ds, {"t": "2"})  # v6
    versions = list(store.list_versions(ds))
    assert [v.version for v in versions] == [6, 5, 4, 3, 2, 1]
    assert [v.num_records for v in versions] == [2, 2, 1, 2, 2, 0]
    assert versions[0].digest == versions[1].digest  # a tag change keeps the records' digest
    assert versions[-2].inserted == 2 and versions[2].deleted == 1
    assert {r.inputs["q"] for r in _records(store, ds, version=2)} == {"a", "b"}
    assert _records(store, ds, version=2)[0].expectations is None
    assert {r.inputs["q"] for r in _records(store, ds, version=4)} == {"a"}
    assert _records(store, ds, version=1) == []
    with pytest.raises(NotFoundError):
        store.get_records(ds, version=7)
    diff = store.diff_versions(ds, 2, 6)
    assert [c.after.inputs for c in diff.added if c.after] == [{"q": "c"}]
    assert [c.before.inputs for c in diff.removed if c.before] == [{"q": "b"}]
    assert [(c.after.inputs, c.fields) for c in diff.changed if c.after] == [
        ({"q": "a"}, ("expectations",))
    ]
    assert (diff.tags_before, diff.tags_after) == ({"t": "1"}, {"t": "2"})
    assert store.diff_versions(ds, 5, 5).empty
    with pytest.raises(InvalidArgumentError):
        store.diff_versions(ds, 0, 3)


def test_the_digest_depends_on_the_records_only(store: DatasetStore) -> None:
    one = store.create_dataset("one").dataset_id
    two = store.create_dataset("two").dataset_id
    assert store.get_dataset(one).digest == store.get_dataset(two).digest
    store.upsert_records(one, [{"inputs": {"q": 1}}, {"inputs": {"q": 2}}])
    store.upsert_records(two, [{"inputs": {"q": 2}}])
    store.upsert_records(two, [{"inputs": {"q": 1}}])
    assert store.get_dataset(one).digest == store.get_dataset(two).digest
    store.upsert_records(two, [{"inputs": {"q": 1}, "expectations": {"e": 1}}])
    assert store.get_dataset(one).digest != store.get_dataset(two).digest


def test_unknown_dataset_everywhere(store: DatasetStore) -> None:
    missing = "d-" + "f" * 32
    for call in (
        lambda: store.get_dataset(missing),
        lambda: store.upsert_records(missing, [{"inputs": {"q": 1}}]),
        lambda: store.get_records(missing),
        lambda: store.delete_tag(missing, "k"),
        lambda: store.get_experiment_ids(missing),
        lambda: store.list_versions(missing),
        lambda: store.diff_versions(missing, 1, 1),
    ):
        with pytest.raises(NotFoundError):
            call()
