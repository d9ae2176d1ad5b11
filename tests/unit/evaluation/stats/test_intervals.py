"""Wilson and bootstrap intervals, and the aggregates built on them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats.aggregates import summarize, summarize_scores
from ardea.evaluation.stats.intervals import bootstrap_estimate, wilson


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_newcombe_1998(successes: int, n: int, low: float, high: float) -> None:
    """Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (score interval)."""
    est = wilson(successes, n)
    assert (round(est.low, 4), round(est.high, 4)) == (low, high)
    assert est.method == "wilson" and est.n == n


def test_wilson_edges() -> None:
    assert wilson(0, 0).value is None and wilson(0, 0).low is None
    assert wilson(5, 5).high == 1.0
    with pytest.raises(InvalidArgumentError):
        wilson(6, 5)
    with pytest.raises(InvalidArgumentError, match="confidence"):
        wilson(1, 5, confidence=1.0)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=100_000),
    share=st.floats(min_value=0.0, max_value=1.0),
    confidence=st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999]),
)
def test_wilson_matches_scipy(n: int, share: float, confidence: float) -> None:
    """The closed form equals scipy's ``binomtest(...).proportion_ci(method="wilson")``."""
    from scipy import stats

    successes = round(share * n)
    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    est = wilson(successes, n, confidence=confidence)
    assert est.low == pytest.approx(max(0.0, ci.low), abs=1e-12)
    assert est.high == pytest.approx(min(1.0, ci.high), abs=1e-12)


def test_pass_fail_summary_does_not_import_scipy_or_numpy() -> None:
    """``evaluate`` summarises pass/fail scorers without paying scipy's or numpy's import."""
    import subprocess
    import sys

    code = (
        "import sys; from ardea.evaluation.record import summaries; "
        "summaries({'ok': [1.0, 0.0, None, 1.0]}); "
        "print('scipy' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    x = np.random.default_rng(1).exponential(size=40)
    first = bootstrap_estimate("mean", [x], np.mean, n_resamples=2000, seed=7)
    again = bootstrap_estimate("mean", [x], np.mean, n_resamples=2000, seed=7)
    other = bootstrap_estimate("mean", [x], np.mean, n_resamples=2000, seed=8)
    assert first == again
    assert (first.low, first.high) != (other.low, other.high)
    assert first.method == "bca"


def test_bootstrap_small_n_and_constant() -> None:
    assert bootstrap_estimate("mean", [np.array([])], np.mean).value is None
    one = bootstrap_estimate("mean", [np.array([3.0])], np.mean)
    assert one.value == 3.0 and one.low is None and one.method == "none"
    const = bootstrap_estimate("mean", [np.array([2.0, 2.0, 2.0])], np.mean)
    assert (const.low, const.high, const.method) == (2.0, 2.0, "constant")


def test_bootstrap_falls_back_to_percentile_when_bca_is_undefined() -> None:
    # One outlier: most resamples of the median equal the estimate, BCa's bias term is infinite.
    x = np.array([0.0] * 9 + [1.0])
    est = bootstrap_estimate("median", [x], np.median, n_resamples=999)
    assert est.method in ("bca", "percentile")
    assert est.low is not None and est.low <= est.value <= est.high


def test_bootstrap_rejects_bad_options() -> None:
    with pytest.raises(InvalidArgumentError):
        bootstrap_estimate("mean", [np.ones(3)], np.mean, n_resamples=0)
    with pytest.raises(InvalidArgumentError):
        bootstrap_estimate("mean", [np.ones(3)], np.mean, method="bc")  # type: ignore[arg-type]


@settings(deadline=None, max_examples=40)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=30))
def test_interval_contains_the_estimate(values: list[float]) -> None:
    est = bootstrap_estimate("mean", [np.array(values)], np.mean, n_resamples=300)
    assert est.low is not None and est.high is not None
    assert est.low - 1e-9 <= est.value <= est.high + 1e-9


def test_summarize_binary_counts_missing_rows() -> None:
    s = summarize([True, "yes", False, None, float("nan")], scorer="safety")
    assert (s.kind, s.n_rows, s.n_missing, s.n_valid) == ("binary", 5, 2, 3)
    assert s.estimate("pass_rate").value == pytest.approx(2 / 3)
    assert dict(s.counts) == {"pass": 2, "fail": 1}
    assert "2 missing" in str(s)
    json.dumps(s.to_dict())


def test_summarize_numeric_statistics() -> None:
    s = summarize(range(1, 21), statistics=("mean", "median", "p90", "std"), n_resamples=999)
    assert s.estimate("mean").value == 10.5
    assert s.estimate("p90").value == pytest.approx(np.quantile(np.arange(1, 21), 0.9))
    assert all(e.low <= e.value <= e.high for e in s.estimates)
    with pytest.raises(KeyError):
        s.estimate("p99")
    with pytest.raises(InvalidArgumentError, match="unknown statistic"):
        summarize([1, 2], statistics=("mode",))


def test_summarize_categorical_and_forced_kind() -> None:
    s = summarize(["good", "bad", "good", None])
    assert s.kind == "categorical"
    assert s.counts == (("good", 2), ("bad", 1))
    assert s.estimate("share[good]").value == pytest.approx(2 / 3)
    forced = summarize([0, 1, 1, 1], kind="binary")
    assert forced.estimate("pass_rate").value == 0.75


def test_summarize_all_missing_and_mixed() -> None:
    s = summarize([None, None])
    assert s.n_missing == 2 and s.estimates[0].value is None
    with pytest.raises(InvalidArgumentError, match="mix kinds"):
        summarize([1.0, True])
    with pytest.raises(InvalidArgumentError, match="unsupported"):
        summarize([{"a": 1}])


def test_summarize_scores_per_scorer() -> None:
    out = summarize_scores({"a": [True, False], "b": [1.0, 2.0, 3.0]}, n_resamples=99)
    assert out["a"].kind == "binary" and out["b"].kind == "numeric"
