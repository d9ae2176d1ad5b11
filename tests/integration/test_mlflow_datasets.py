"""The real ``mlflow`` 3.18 client's evaluation datasets (``mlflow.genai.datasets``) against a
live ``ardea server``: create, get (by id and by name), search, merge records (dicts, a
DataFrame, ``to_df()`` rows), to_df, tags, delete records, delete; bad input as a
400 in MLflow's error JSON with nothing stored; and Ardea's versions over REST."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

mlflow = pytest.importorskip("mlflow")
pd = pytest.importorskip("pandas")

import httpx  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.genai import datasets as gd  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

pytestmark = pytest.mark.slow

_n = itertools.count()


@pytest.fixture
def url(mlflow_env: str) -> str:
    mlflow.tracking.fluent._active_experiment_id = None
    return mlflow_env


def _experiment(name: str) -> str:
    return MlflowClient().create_experiment(name)


def test_create_merge_to_df_and_read_back(url: str) -> None:
    exp = _experiment("ds-client")
    ds = gd.create_dataset(name="qa", experiment_id=exp, tags={"team": "ml"})
    assert ds.dataset_id.startswith("d-") and ds.name == "qa"
    assert ds.tags["team"] == "ml"
    ds.merge_records(
        [
            {"inputs": {"question": "2+2?"}, "expectations": {"answer": "4"}},
            {"inputs": {"question": "capital of France?"}, "expectations": {"answer": "Paris"}},
        ]
    )
    df = ds.to_df()
    assert sorted(df["inputs"].map(lambda i: i["question"])) == ["2+2?", "capital of France?"]
    assert set(df["source_type"]) == {"HUMAN"}  # the client infers it from expectations
    # merging the same inputs updates, a DataFrame works too
    more = pd.DataFrame(
        [
            {"inputs": {"question": "2+2?"}, "expectations": {"explanation": "arithmetic"}},
            {"inputs": {"question": "3+3?"}, "expectations": {"answer": "6"}},
        ]
    )
    ds.merge_records(more)
    got = gd.get_dataset(dataset_id=ds.dataset_id)
    df = got.to_df()
    assert len(df) == 3
    row = df[df["inputs"].map(lambda i: i["question"]) == "2+2?"].iloc[0]
    assert row["expectations"] == {"answer": "4", "explanation": "arithmetic"}
    assert got.experiment_ids == [exp]
    assert json.loads(got.profile or "{}") == {"num_records": 3}
    assert "question" in json.loads(got.schema or "{}")["inputs"]
    # to_df()'s extra columns (ids, times) are ignored when its records are merged back (the
    # client itself cannot send its ``source`` objects, so they are dropped here)
    got.merge_records(df.drop(columns=["source"]).to_dict("records"))
    assert len(gd.get_dataset(dataset_id=ds.dataset_id).to_df()) == 3
    # by name
    assert gd.get_dataset(name="qa").dataset_id == ds.dataset_id


def test_search_tags_delete_records_and_delete(url: str) -> None:
    exp = _experiment("ds-search")
    a = gd.create_dataset(name="search_alpha", experiment_id=exp, tags={"env": "prod"})
    b = gd.create_dataset(name="search_beta", experiment_id=exp, tags={"env": "dev"})
    found = gd.search_datasets(filter_string="name LIKE 'search_%'", order_by=["name ASC"])
    assert [d.dataset_id for d in found] == [a.dataset_id, b.dataset_id]
    found = gd.search_datasets(experiment_ids=exp, filter_string="tags.env = 'prod'")
    assert [d.dataset_id for d in found] == [a.dataset_id]
    client = MlflowClient()
    client.set_dataset_tags(a.dataset_id, {"env": "staging", "owner": "ann"})
    client.delete_dataset_tag(a.dataset_id, "owner")
    assert gd.get_dataset(dataset_id=a.dataset_id).tags["env"] == "staging"
    assert "owner" not in gd.get_dataset(dataset_id=a.dataset_id).tags
    a.merge_records([{"inputs": {"q": i}} for i in range(3)])
    ids = a.to_df()["dataset_record_id"].tolist()
    assert a.delete_records(ids[:2]) == 2
    assert a.to_df()["dataset_record_id"].tolist() == ids[2:]
    gd.delete_dataset(dataset_id=b.dataset_id)
    with pytest.raises(MlflowException, match="not found"):
        gd.get_dataset(dataset_id=b.dataset_id)


def _raw(url: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{url}/api/3.0{path}", timeout=60, **kwargs)


@pytest.mark.parametrize(
    "records",
    [
        json.dumps({"inputs": {"q": 1}}),  # not a list
        json.dumps([{"expectations": {"a": 1}}]),  # no inputs
        json.dumps([{"inputs": [1, 2]}]),  # inputs not an object
        json.dumps([{"inputs": {"q": "x" * 10_000_000}}]),  # a 10 MB record
        "not json",
    ],
)
def test_bad_records_are_a_400_and_nothing_changes(url: str, records: str) -> None:
    ds = gd.create_dataset(name="bad-input", experiment_id=_experiment(f"bad-{next(_n)}"))
    ds.merge_records([{"inputs": {"q": "kept"}}])
    before = gd.get_dataset(dataset_id=ds.dataset_id)
    r = _raw(url, "POST", f"/mlflow/datasets/{ds.dataset_id}/records", json={"records": records})
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE" and r.json()["message"]
    after = gd.get_dataset(dataset_id=ds.dataset_id)
    assert (after.digest, after.last_update_time) == (before.digest, before.last_update_time)
    assert after.to_df()["inputs"].tolist() == [{"q": "kept"}]


def test_versions_and_diff_over_rest(url: str) -> None:
    ds = gd.create_dataset(name="versioned", experiment_id=_experiment("ds-versions"))
    ds.merge_records([{"inputs": {"q": 1}, "expectations": {"a": "x"}}])
    ds.merge_records([{"inputs": {"q": 1}, "expectations": {"a": "y"}}])
    path = f"/ardea/datasets/{ds.dataset_id}"
    versions = _raw(url, "GET", f"{path}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [3, 2, 1]
    old = _raw(url, "GET", f"{path}/versions/2/records").json()["records"]
    assert old[0]["expectations"] == {"a": "x"}
    diff = _raw(url, "GET", f"{path}/diff", params={"from_version": 2, "to_version": 3}).json()
    assert [c["fields"] for c in diff["changed"]] == [["expectations"]]
    assert gd.get_dataset(dataset_id=ds.dataset_id).digest == versions[0]["digest"]


def test_the_ardea_sdk_over_rest_and_the_mlflow_client_see_the_same_dataset(url: str) -> None:
    from ardea.evaluation import datasets

    ds = datasets.create_dataset("interop", _experiment("ds-interop"), tracking_uri=url)
    ds.merge_records([{"inputs": {"q": "a"}, "expectations": {"e": 1}}])
    seen = gd.get_dataset(dataset_id=ds.dataset_id)
    assert seen.to_df()["expectations"].tolist() == [{"e": 1}]
    seen.merge_records([{"inputs": {"q": "b"}}])
    assert sorted(r.inputs["q"] for r in ds.records()) == ["a", "b"]
    assert ds.refresh().digest == gd.get_dataset(dataset_id=ds.dataset_id).digest
    assert [v.version for v in ds.versions()] == [3, 2, 1]
