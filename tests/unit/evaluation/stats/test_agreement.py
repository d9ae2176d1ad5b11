"""Judge agreement with human labels against published values."""

from __future__ import annotations

import json

import pytest
from sklearn.metrics import cohen_kappa_score

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats.agreement import cohen_kappa, judge_agreement


def test_kappa_and_fce_interval_fleiss_paik() -> None:
    """Fleiss, Levin & Paik, Statistical Methods for Rates and Proportions (2003) ch. 18 large-
    sample standard error, as statpsych's ci.kappa documents it for f00=31, f01=12, f10=4,
    f11=58: kappa 0.6756757, SE 0.07344761, 95% interval [0.5317210, 0.8196303]."""
    e = cohen_kappa([[31, 12], [4, 58]])
    assert e.value == pytest.approx(0.6756757, abs=1e-7)
    assert e.low == pytest.approx(0.5317210, abs=1e-6)
    assert e.high == pytest.approx(0.8196303, abs=1e-6)
    assert e.method == "analytic"


def test_kappa_textbook_two_by_two() -> None:
    """The 50-proposal example of Cohen's kappa (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no):
    p_o = 0.7, p_e = 0.5, kappa = 0.4."""
    assert cohen_kappa([[20, 5], [10, 15]]).value == pytest.approx(0.4)


def test_kappa_of_a_rater_with_one_label_has_no_interval() -> None:
    """A judge that always says yes against humans split 50/50: kappa is 0 (as scikit-learn
    gives) but the FCE standard error collapses to 0; no interval rather than [0, 0]."""
    e = cohen_kappa([[0, 1], [0, 1]])
    assert e.value == pytest.approx(cohen_kappa_score(["yes", "no"], ["yes", "yes"]))
    assert e.value == 0.0 and e.low is None and e.high is None and e.method == "none"


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weighted_kappa_matches_scikit_learn(weights: str) -> None:
    human = [0, 0, 1, 2, 2, 1, 0, 2, 1, 1, 2, 0, 1, 2]
    judge = [0, 1, 1, 2, 1, 1, 0, 2, 2, 1, 2, 0, 0, 2]
    a = judge_agreement(judge, human, labels=[0, 1, 2], weights=weights)  # type: ignore[arg-type]
    expected = cohen_kappa_score(human, judge, weights=weights)
    assert a.estimate("weighted_kappa").value == pytest.approx(expected)


def test_binary_measures_altman_bland_1994() -> None:
    """Altman & Bland (1994), BMJ 308:1552 and 309:102: liver scan vs pathology, 344 patients:
    231 true positives, 27 false negatives, 32 false positives, 54 true negatives.
    Sensitivity 0.90, specificity 0.63, PPV 0.88, NPV 0.67."""
    judge = [True] * 231 + [False] * 27 + [True] * 32 + [False] * 54
    human = [True] * 258 + [False] * 86
    a = judge_agreement(judge, human, n_resamples=999)
    assert a.positive == "True"
    assert round(a.estimate("tpr").value, 2) == 0.90
    assert round(a.estimate("tnr").value, 2) == 0.63
    assert round(a.estimate("precision").value, 2) == 0.88
    assert round(a.estimate("npv").value, 2) == 0.67
    f1 = a.estimate("f1")
    assert f1.value == pytest.approx(2 * 231 / (2 * 231 + 32 + 27))
    assert f1.low < f1.value < f1.high
    assert a.confusion == ((54, 32), (27, 231))
    assert a.estimate("accuracy").value == pytest.approx(285 / 344)
    json.dumps(a.to_dict())
    assert "human \\ judge" in str(a)


def test_missing_rows_counted_and_yes_no_labels() -> None:
    a = judge_agreement(["yes", "no", None, "yes"], ["yes", "yes", "no", None])
    assert (a.n, a.n_missing, a.positive) == (2, 2, "yes")


def test_agreement_edges() -> None:
    same = judge_agreement(["a", "a"], ["a", "a"])
    assert same.estimate("kappa").value is None  # one label: kappa undefined
    assert same.estimate("accuracy").value == 1.0
    empty = judge_agreement([None], [None])
    assert empty.n == 0 and empty.estimate("accuracy").value is None
    with pytest.raises(InvalidArgumentError, match="lengths"):
        judge_agreement([1], [1, 2])
    with pytest.raises(InvalidArgumentError, match="labels"):
        judge_agreement([1, 2], [1, 2], weights="linear")
    with pytest.raises(InvalidArgumentError, match="not among"):
        judge_agreement([1, 3], [1, 2], labels=[1, 2])
    with pytest.raises(InvalidArgumentError, match="two labels"):
        judge_agreement([1, 2, 3], [1, 2, 3], positive=1)
