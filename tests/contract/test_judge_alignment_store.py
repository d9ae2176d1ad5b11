"""Judge alignment records in the scorer registry: record, list per judge, get; bad input
stores nothing; over every backend (SQLite, REST, PostgreSQL, MySQL, inside workspaces)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities.scorer import ALIGNMENT_FIELD_MAX_BYTES, JudgeAlignment
from ardea.store.backend import Backend
from ardea.store.scorers import ScorerStore

_AGREEMENT: dict[str, Any] = {
    "labels": ["False", "True"],
    "confusion": [[8, 1], [0, 9]],
    "n": 18,
    "n_missing": 0,
    "estimates": [
        {"name": "accuracy", "value": 0.944, "low": 0.74, "high": 0.99, "confidence": 0.95,
         "method": "wilson", "n": 18},
        {"name": "kappa", "value": 0.889, "low": 0.68, "high": 1.0, "confidence": 0.95,
         "method": "analytic", "n": 18},
    ],
    "positive": "True",
}  # fmt: skip


@pytest.fixture
def store(backend: Backend) -> ScorerStore:
    return backend.scorers


def _record(exp: str, **changes: Any) -> JudgeAlignment:
    base = JudgeAlignment(
        alignment_id="",
        experiment_id=exp,
        name="cited",
        optimizer="memalign",
        base_version=1,
        new_version=2,
        promoted=True,
        reason="promoted: kappa 0.000 -> 0.889",
        creation_time=0,
        params={"retrieval_k": 5, "reflection_model": None},
        labels={"count": 60, "train": 42, "holdout": 18, "trace_ids": ["tr-1", "tr-2"]},
        before={**_AGREEMENT, "positive": None},
        after=_AGREEMENT,
    )
    return replace(base, **changes)


def _two_versions(backend: Backend, store: ScorerStore, name: str = "cited") -> str:
    exp = backend.tracking.create_experiment("align-exp")
    store.register_scorer(exp, name, json.dumps({"v": 1}))
    store.register_scorer(exp, name, json.dumps({"v": 2}))
    return exp


def test_record_list_and_get(backend: Backend, store: ScorerStore) -> None:
    exp = _two_versions(backend, store)
    store.register_scorer(exp, "other", json.dumps({"v": 1}))
    first = store.create_judge_alignment(_record(exp))
    rejected = store.create_judge_alignment(
        _record(
            exp, promoted=False, new_version=None, reason="rejected: kappa fell", optimizer="gepa"
        )
    )
    store.create_judge_alignment(_record(exp, name="other", base_version=None, new_version=1))
    assert first.alignment_id and first.alignment_id != rejected.alignment_id
    assert first.creation_time > 0 and first.experiment_id == exp
    assert first.after == _AGREEMENT and first.labels["trace_ids"] == ["tr-1", "tr-2"]
    listed = store.list_judge_alignments(exp, "cited")
    assert listed == [first, rejected]
    assert not listed[1].promoted and listed[1].new_version is None
    assert len(store.list_judge_alignments(exp)) == 3
    assert store.list_judge_alignments(exp, "nobody") == []
    assert store.get_judge_alignment(exp, rejected.alignment_id) == rejected


def test_unknown_experiment_version_and_id(backend: Backend, store: ScorerStore) -> None:
    exp = _two_versions(backend, store)
    other = backend.tracking.create_experiment("elsewhere")
    with pytest.raises(NotFoundError):
        store.create_judge_alignment(_record("123456"))
    with pytest.raises(NotFoundError, match="version 3"):
        store.create_judge_alignment(_record(exp, new_version=3))
    with pytest.raises(NotFoundError):
        store.create_judge_alignment(_record(other))  # the name is not registered there
    made = store.create_judge_alignment(_record(exp))
    with pytest.raises(NotFoundError):
        store.get_judge_alignment(other, made.alignment_id)
    with pytest.raises(NotFoundError):
        store.get_judge_alignment(exp, "no-such-id")
    with pytest.raises(NotFoundError):
        store.list_judge_alignments("123456", "cited")


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"optimizer": ""},
        {"optimizer": "x" * 65},
        {"promoted": True, "new_version": None},
        {"promoted": False},  # a rejected run names no new version
        {"base_version": 0},
        {"after": {"estimates": "no"}},
        {"before": {**_AGREEMENT, "n": "18"}},
        {"labels": {"blob": "x" * ALIGNMENT_FIELD_MAX_BYTES}},
    ],
)
def test_bad_input_stores_nothing(
    backend: Backend, store: ScorerStore, changes: dict[str, Any]
) -> None:
    exp = _two_versions(backend, store)
    with pytest.raises(InvalidArgumentError):
        store.create_judge_alignment(_record(exp, **changes))
    assert store.list_judge_alignments(exp) == []
