"""compare_evaluations and assert_no_regression on small evaluations."""

from __future__ import annotations

import json

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.stats import (
    RegressionError,
    assert_no_regression,
    compare_evaluations,
    pair_rows,
)


def _rows(values: dict[str, list[object]], ids: bool = True) -> list[dict[str, object]]:
    n = len(next(iter(values.values())))
    rows = []
    for i in range(n):
        row: dict[str, object] = {"scores": {k: v[i] for k, v in values.items()}}
        if ids:
            row["record_id"] = f"r{i}"
        else:
            row["inputs"] = {"question": f"q{i}"}
        rows.append(row)
    return rows


def test_binary_regression_is_named_with_its_rows() -> None:
    # Agresti's approval table scaled down: 15 pass->fail, 2 fail->pass, 33 unchanged.
    a = [True] * 15 + [False] * 2 + [True] * 20 + [False] * 13
    b = [False] * 15 + [True] * 2 + [True] * 20 + [False] * 13
    cmp = compare_evaluations(_rows({"ok": a}), _rows({"ok": b}), n_resamples=999)
    s = cmp.scorer("ok")
    assert s.kind == "binary" and s.test == "mcnemar_mid_p"
    assert s.diff == pytest.approx((2 - 15) / 50)
    assert s.diff_low < s.diff < s.diff_high < 0
    assert s.verdict == "regressed"
    assert s.regressed_rows == tuple(f"record:r{i}" for i in range(15))
    assert s.improved_rows == ("record:r15", "record:r16")
    assert dict(s.other_p_values)["mcnemar_exact"] >= s.p_value
    with pytest.raises(RegressionError, match=r"ok: 0\.7 -> 0\.44") as info:
        assert_no_regression(cmp)
    assert isinstance(info.value, AssertionError)
    assert [r.scorer for r in info.value.regressions] == ["ok"]
    assert_no_regression(cmp, min_effect=0.3)  # a 0.26 drop is below the threshold


def test_numeric_comparison_uses_wilcoxon_and_reports_t() -> None:
    darwin = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    cmp = compare_evaluations(
        _rows({"height": [0.0] * 15}), _rows({"height": [float(d) for d in darwin]}),
        correction="none", n_resamples=999,
    )  # fmt: skip
    s = cmp.scorer("height")
    assert s.test == "wilcoxon"
    assert s.p_value == pytest.approx(0.041259765625)
    assert dict(s.other_p_values)["paired_t"] == pytest.approx(0.0497, abs=1e-4)
    assert dict(s.effects)["rank_biserial"] == pytest.approx(0.6)
    assert s.verdict == "improved"
    assert len(s.regressed_rows) == 2
    t = compare_evaluations(
        _rows({"height": [0.0] * 15}), _rows({"height": [float(d) for d in darwin]}),
        numeric_test="t", n_resamples=99,
    ).scorer("height")  # fmt: skip
    assert t.test == "paired_t"


def test_lower_is_better_flips_the_direction() -> None:
    a = _rows({"latency": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]})
    b = _rows({"latency": [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.5]})
    s = compare_evaluations(a, b, greater_is_better={"latency": False}, n_resamples=99)
    assert s.scorer("latency").regressed_rows == tuple(f"record:r{i}" for i in range(8))
    assert s.scorer("latency").verdict == "regressed"


def test_missing_values_are_counted_not_dropped_silently() -> None:
    a = _rows({"ok": [True, None, True, True]})
    b = _rows({"ok": [True, True, float("nan"), False]})
    s = compare_evaluations(a, b, n_resamples=99).scorer("ok")
    assert s.n_paired == 2 and s.n_missing == 2


def test_too_few_pairs_and_all_missing() -> None:
    a = _rows({"ok": [True], "gone": [None]})
    cmp = compare_evaluations(a, a)
    assert cmp.scorer("ok").verdict == "insufficient_data"
    assert cmp.scorer("gone").n_missing == 1
    assert_no_regression(cmp)


def test_identical_evaluations_show_no_change() -> None:
    rows = _rows({"ok": [True, False] * 10, "score": [float(i) for i in range(20)]})
    cmp = compare_evaluations(rows, rows, n_resamples=99)
    assert {s.verdict for s in cmp.scorers} == {"no_significant_change"}
    assert cmp.scorer("score").diff == 0.0 and cmp.scorer("score").p_value == 1.0


def test_categorical_scorer_uses_stuart_maxwell() -> None:
    a = _rows({"tone": ["calm"] * 20 + ["rude"] * 5})
    b = _rows({"tone": ["rude"] * 12 + ["calm"] * 8 + ["rude"] * 5})
    s = compare_evaluations(a, b).scorer("tone")
    assert s.test == "stuart_maxwell" and s.verdict == "changed"
    assert len(s.changed_rows) == 12
    assert dict(s.effects)["shift[rude]"] == pytest.approx(12 / 25)


def test_repeated_values_are_reduced_to_row_means() -> None:
    a = _rows({"ok": [[True, True, False]] * 6})
    b = _rows({"ok": [[False, False, False]] * 6})
    s = compare_evaluations(a, b, n_resamples=99).scorer("ok")
    assert s.kind == "numeric" and s.a_value == pytest.approx(2 / 3)


def test_pairing_by_record_then_inputs_and_ambiguity() -> None:
    a = [
        {"record_id": "x", "scores": {"s": 1}},
        {"inputs": {"q": 1}, "scores": {"s": 1}},
        {"inputs": {"q": 2}, "scores": {"s": 1}},
        {"inputs": {"q": 2}, "scores": {"s": 1}},
        {"record_id": "lonely", "scores": {"s": 1}},
    ]
    b = [
        {"inputs": {"q": 1}, "scores": {"s": 0}},
        {"dataset_record_id": "x", "scores": {"s": 0}},
        {"inputs": {"q": 2}, "scores": {"s": 0}},
    ]
    p = pair_rows(a, b)
    assert sorted(k.split(":")[0] for k, _, _ in p.pairs) == ["inputs", "record"]
    assert len(p.ambiguous) == 1 and p.ambiguous[0].startswith("inputs:")
    assert "record:lonely" in p.unpaired_a
    assert len(p.unpaired_b) == 1


def test_mapping_input_and_multiple_testing() -> None:
    a = {f"r{i}": {f"s{j}": float(i + j) for j in range(4)} for i in range(12)}
    b = {
        f"r{i}": {f"s{j}": float(i + j) + (0.5 if j == 0 else 0.01 * (i % 3 - 1)) for j in range(4)}
        for i in range(12)
    }
    holm = compare_evaluations(a, b, n_resamples=99)
    bh = compare_evaluations(a, b, correction="bh", n_resamples=99)
    for s in holm.scorers:
        assert s.p_adjusted >= s.p_value or (s.p_value != s.p_value)
    assert holm.scorer("s0").p_adjusted >= bh.scorer("s0").p_adjusted
    assert holm.scorer("s0").verdict == "improved"


def test_results_are_json_and_readable() -> None:
    rows = _rows({"ok": [True, False] * 5, "tone": ["a", "b"] * 5, "x": [None] * 10})
    cmp = compare_evaluations(rows, rows, noise_floor={"ok": 0.1}, n_resamples=99)
    data = json.loads(json.dumps(cmp.to_dict(), allow_nan=False))
    assert data["scorers"][0]["within_noise"] is True
    assert data["n_pairs"] == 10
    text = str(cmp)
    assert "ok" in text and "verdict" in text


def test_bad_arguments() -> None:
    rows = _rows({"ok": [True, False]})
    with pytest.raises(InvalidArgumentError, match="alpha"):
        compare_evaluations(rows, rows, alpha=1.5)
    with pytest.raises(InvalidArgumentError, match="scores"):
        compare_evaluations([{"nope": 1}], rows)
    with pytest.raises(InvalidArgumentError, match="not compared"):
        assert_no_regression(compare_evaluations(rows, rows), scorers=["missing"])
    with pytest.raises(InvalidArgumentError, match="min_effect"):
        assert_no_regression(compare_evaluations(rows, rows), min_effect=-1)
