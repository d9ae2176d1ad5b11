"""The real ``mlflow`` 3.18 client's scorer registry against a live ``ardea server``:
``Scorer.register`` (versions), ``list_scorers``, ``list_scorer_versions``, ``get_scorer``,
``delete_scorer``, ``start``/``update``/``stop`` storing the online config; bad input (a 10 MB
``serialized_scorer``, bad JSON, an unknown experiment) as a 400/404 in MLflow's error JSON
with nothing stored."""

from __future__ import annotations

import itertools
import json

import pytest

mlflow = pytest.importorskip("mlflow")

import httpx  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.genai.scorers import (  # noqa: E402
    Guidelines,
    ScorerSamplingConfig,
    delete_scorer,
    get_scorer,
    list_scorers,
    scorer,
)
from mlflow.genai.scorers.registry import list_scorer_versions  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

pytestmark = pytest.mark.slow

_n = itertools.count()


@pytest.fixture
def url(mlflow_env: str) -> str:
    mlflow.tracking.fluent._active_experiment_id = None
    return mlflow_env


def _experiment() -> str:
    return MlflowClient().create_experiment(f"scorers-{next(_n)}")


def _guidelines(name: str = "polite") -> Guidelines:
    return Guidelines(name=name, guidelines=["Be polite."], model="openai:/gpt-4o-mini")


def test_register_versions_list_get_and_delete(url: str) -> None:
    exp = _experiment()
    first = _guidelines().register(experiment_id=exp)
    assert first.name == "polite"
    _guidelines().register(experiment_id=exp)  # same name: version 2
    _guidelines("other").register(name="renamed", experiment_id=exp)

    names = sorted(s.name for s in list_scorers(experiment_id=exp))
    assert names == ["polite", "renamed"]
    versions = list_scorer_versions(name="polite", experiment_id=exp)
    assert [v for _, v in versions] == [1, 2]
    got = get_scorer(name="polite", experiment_id=exp)
    assert isinstance(got, Guidelines) and got.guidelines == ["Be polite."]
    assert got.scorer_version == 2
    assert get_scorer(name="polite", experiment_id=exp, version=1).scorer_version == 1

    delete_scorer(name="polite", experiment_id=exp, version=2)
    assert [v for _, v in list_scorer_versions(name="polite", experiment_id=exp)] == [1]
    delete_scorer(name="polite", experiment_id=exp, version="all")
    assert [s.name for s in list_scorers(experiment_id=exp)] == ["renamed"]
    with pytest.raises(MlflowException, match="not found"):
        get_scorer(name="polite", experiment_id=exp)


def test_code_scorer_is_stored_as_text_and_never_run(url: str) -> None:
    exp = _experiment()

    @scorer
    def short(outputs: str) -> bool:
        return len(outputs) < 100

    short.register(experiment_id=exp)
    answer = httpx.get(
        f"{url}/api/3.0/mlflow/scorers/get",
        params={"experiment_id": exp, "name": "short"},
        timeout=60,
    ).json()["scorer"]
    assert "len(outputs) < 100" in answer["serialized_scorer"]
    # the stock client refuses to rebuild code it would have to run (its own guard)
    with pytest.raises(MlflowException, match="disabled by default"):
        get_scorer(name="short", experiment_id=exp)


def test_start_update_stop_store_the_online_config(url: str) -> None:
    exp = _experiment()
    registered = _guidelines().register(experiment_id=exp)
    started = registered.start(
        experiment_id=exp, sampling_config=ScorerSamplingConfig(sample_rate=0.5)
    )
    assert started.sample_rate == 0.5
    updated = started.update(
        experiment_id=exp,
        sampling_config=ScorerSamplingConfig(sample_rate=0.25, filter_string="status = 'OK'"),
    )
    assert updated.sample_rate == 0.25 and updated.filter_string == "status = 'OK'"
    got = get_scorer(name="polite", experiment_id=exp)
    assert got.sample_rate == 0.25 and got.filter_string == "status = 'OK'"
    stopped = got.stop(experiment_id=exp)
    assert stopped.sample_rate == 0.0
    [listed] = list_scorers(experiment_id=exp)
    assert listed.sample_rate == 0.0


def _post(url: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{url}/api/3.0/mlflow/scorers/register", json=body, timeout=60)


def test_bad_input_is_refused_and_nothing_stored(url: str) -> None:
    exp = _experiment()
    huge = json.dumps({"name": "big", "blob": "x" * (10 * 1024 * 1024)})
    for body, status in (
        ({"experiment_id": exp, "name": "big", "serialized_scorer": huge}, 400),
        ({"experiment_id": exp, "name": "bad", "serialized_scorer": "{not json"}, 400),
        ({"experiment_id": exp, "name": "bad", "serialized_scorer": "[1, 2]"}, 400),
        ({"experiment_id": exp, "name": "", "serialized_scorer": "{}"}, 400),
        ({"experiment_id": "987654321", "name": "x", "serialized_scorer": "{}"}, 404),
    ):
        answer = _post(url, body)
        assert answer.status_code == status, answer.text
        assert answer.json()["error_code"] in ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST")
    assert list_scorers(experiment_id=exp) == []
    missing = httpx.get(
        f"{url}/api/3.0/mlflow/scorers/get",
        params={"experiment_id": exp, "name": "nope"},
        timeout=60,
    )
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    rate = httpx.put(
        f"{url}/api/3.0/mlflow/scorers/online-config",
        json={"experiment_id": exp, "name": "nope", "sample_rate": 0.5},
        timeout=60,
    )
    assert rate.status_code == 404


def test_list_answers_experiment_id_as_a_number(url: str) -> None:
    exp = _experiment()
    _guidelines().register(experiment_id=exp)
    answer = httpx.get(
        f"{url}/api/3.0/mlflow/scorers/list", params={"experiment_id": exp}, timeout=60
    ).json()
    [one] = answer["scorers"]
    assert one["experiment_id"] == int(exp) and one["scorer_version"] == 1
    assert json.loads(one["serialized_scorer"])["name"] == "polite"
    ajax = httpx.get(
        f"{url}/ajax-api/3.0/mlflow/scorers/list", params={"experiment_id": exp}, timeout=60
    )
    assert ajax.json() == answer


def test_the_rest_store_scorer_calls(url: str) -> None:
    """The stock RestStore's scorer methods, as MLflow's ``test_scorer_CRUD`` drives them."""
    exp = _experiment()
    store = MlflowClient()._tracking_client.store
    text = json.dumps({"name": "s", "original_func_name": "f"})
    assert store.register_scorer(exp, "s", text).scorer_version == 1
    [listed] = store.list_scorers(exp)
    assert (listed.scorer_name, listed.scorer_version, listed.experiment_id) == ("s", 1, exp)
    assert store.get_scorer(exp, "s", version=1).scorer_version == 1
    assert store.register_scorer(exp, "s", text).scorer_version == 2
    assert [s.scorer_version for s in store.list_scorers(exp)] == [2]
    store.delete_scorer(exp, "s", version=1)
    assert [v.scorer_version for v in store.list_scorer_versions(exp, "s")] == [2]
    store.delete_scorer(exp, "s")
    assert store.list_scorers(exp) == []
    MlflowClient().delete_experiment(exp)
