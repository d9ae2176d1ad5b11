"""ardea.scorers' registry SDK on a SQLite tracking URI: register (versions), list, get (built-ins
and judges rebuilt; @scorer code as a stub that never runs), delete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.scorers import (
    Guidelines,
    RegisteredCodeScorer,
    delete_scorer,
    get_scorer,
    list_scorer_versions,
    list_scorers,
    make_judge,
    register_scorer,
    scorer,
)


@pytest.fixture
def uri(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ardea.db'}"


def test_register_list_get_delete(uri: str) -> None:
    polite = Guidelines(name="polite", guidelines=["Be polite."])
    assert polite.register(experiment_id="0", tracking_uri=uri) is polite
    again = register_scorer(polite, experiment_id="0", tracking_uri=uri)
    assert again.version == 2
    judge = make_judge(name="tone", instructions="Is {{ outputs }} calm?", model="openai:/x")
    judge.register(name="calm", experiment_id="0", tracking_uri=uri)

    assert [s.name for s in list_scorers(experiment_id="0", tracking_uri=uri)] == [
        "calm",
        "polite",
    ]
    got = get_scorer("polite", experiment_id="0", tracking_uri=uri)
    assert isinstance(got, Guidelines) and got.guidelines == ["Be polite."]
    assert get_scorer("calm", experiment_id="0", tracking_uri=uri).name == "calm"
    versions = list_scorer_versions("polite", experiment_id="0", tracking_uri=uri)
    assert [v.version for v in versions] == [1, 2]
    assert json.loads(versions[0].serialized_scorer)["builtin_scorer_class"] == "Guidelines"

    delete_scorer("polite", 1, experiment_id="0", tracking_uri=uri)
    assert get_scorer("polite", 2, experiment_id="0", tracking_uri=uri).name == "polite"
    delete_scorer("polite", experiment_id="0", tracking_uri=uri)
    with pytest.raises(NotFoundError):
        get_scorer("polite", experiment_id="0", tracking_uri=uri)


def test_code_scorers_come_back_as_a_stub_that_never_runs(uri: str) -> None:
    ran: list[str] = []

    @scorer
    def short(outputs: str) -> bool:
        ran.append(outputs)
        return len(outputs) < 10

    short.register(experiment_id="0", tracking_uri=uri)
    got = get_scorer("short", experiment_id="0", tracking_uri=uri)
    assert isinstance(got, RegisteredCodeScorer)
    assert "len(outputs) < 10" in got.source and got.version == 1
    with pytest.raises(InvalidArgumentError, match="does not execute"):
        got(outputs="hi")
    assert ran == []


def test_unknown_experiment(uri: str) -> None:
    with pytest.raises(NotFoundError):
        Guidelines(guidelines=["x"]).register(experiment_id="4242", tracking_uri=uri)
