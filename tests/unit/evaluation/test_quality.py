"""``quality_criteria``: MLflow 3.18's grammar, errors, run tag and warnings; Ardea's verdicts."""

from __future__ import annotations

import json
from typing import Any

import pytest

import ardea
from ardea._core.errors import InvalidArgumentError
from ardea.evaluation import quality
from ardea.scorers import scorer
from fixtures.fake_llm_server import FakeLLMServer

NAMES = ["correctness", "latency", "safety", "my scorer", "a.b"]


def test_grammar_as_mlflow() -> None:
    rules = quality.parse(NAMES, "correctness >= 0.9 AND `latency/p90` <= 2")
    assert [(r.metric_key, r.comparator, r.threshold) for r in rules] == [
        ("correctness/mean", ">=", 0.9),
        ("latency/p90", "<=", 2.0),
    ]
    rules = quality.parse(NAMES, '  "my scorer">=.5 and a.b<=1e1   AnD `safety/min` >= -1 ')
    assert [r.metric_key for r in rules] == ["my scorer/mean", "a.b/mean", "safety/min"]
    assert rules[1].threshold == 10.0
    assert quality.parse(NAMES, None) == [] and quality.parse(NAMES, "   ") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("correctness > 0.9", "only `>=` and `<=` are supported"),
        ("correctness != 1", "only `>=` and `<=` are supported"),
        ("correctness >= 1e999", "the value must be a finite number"),
        ("correctness >= 0.9 OR safety >= 1", "Invalid quality criteria .* at 'OR safety"),
        ("correctness >= high", "Invalid quality criteria"),
        ("correctness >= 0.9 ANDsafety >= 1", "Invalid quality criteria"),
        ("correctness >= 0.9 AND", "Invalid quality criteria"),
        ("nope >= 1", "The condition on 'nope' doesn't match any scorer"),
        ("`latency/p99` <= 2", "The condition on 'latency/p99' doesn't match any scorer"),
        ("correctness >= 0.9 AND `correctness/mean` <= 1", "more than one condition on"),
    ],
)
def test_errors_as_mlflow(text: str, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        quality.parse(NAMES, text)


def test_unknown_names_list_the_scorers_and_aggregations() -> None:
    with pytest.raises(InvalidArgumentError) as err:
        quality.parse(["b", "a"], "c >= 1")
    text = str(err.value)
    assert "min, max, mean, median, variance, p90" in text and "Scorer names: 'a', 'b'." in text
    with pytest.raises(InvalidArgumentError, match="must be a string such as"):
        quality.parse(["a"], 0.5)
    with pytest.raises(InvalidArgumentError, match="more than one scorer"):
        quality.parse(["a", "a"], "a >= 1")


def test_tag_is_mlflows_compact_json() -> None:
    rules = quality.parse(NAMES, "correctness >= 0.9 AND `latency/p90` <= 2")
    tag = quality.build_tag(rules)
    assert tag is not None and ", " not in tag and ": " not in tag
    value = json.loads(tag)
    assert value["schemaVersion"] == 1 and len(value["revision"]) == 36
    assert value["rules"] == [
        {"metricKey": "correctness/mean", "comparator": "GTE", "threshold": 0.9},
        {"metricKey": "latency/p90", "comparator": "LTE", "threshold": 2.0},
    ]
    assert quality.build_tag([]) is None
    names = [f"s{i:04d}" for i in range(200)]
    too_many = " AND ".join(f"{n} >= 0.5" for n in names)
    with pytest.raises(InvalidArgumentError, match="character limit for a run tag"):
        quality.build_tag(quality.parse(names, too_many))


def test_check_reports_significance() -> None:
    (rule,) = quality.parse(["c"], "c >= 0.5")
    metrics = {"c/mean": 0.7, "c/ci_low": 0.6, "c/ci_high": 0.8}
    (sure,) = quality.check([rule], metrics)
    assert sure.passed and sure.significant and sure.verdict == "pass"
    (unsure,) = quality.check([rule], {**metrics, "c/ci_low": 0.4})
    assert unsure.passed and unsure.significant is False
    assert unsure.verdict == "pass (not significant)"
    (failed,) = quality.check([rule], {"c/mean": 0.4, "c/ci_low": 0.3, "c/ci_high": 0.6})
    assert failed.passed is False and failed.verdict == "fail (not significant)"
    (le,) = quality.parse(["c"], "c <= 0.5")
    (ok,) = quality.check([le], {"c/mean": 0.4, "c/ci_low": 0.3, "c/ci_high": 0.45})
    assert ok.verdict == "pass"
    (none,) = quality.check([rule], {})
    assert none.passed is None and none.verdict == "unmeasured"
    (p90,) = quality.parse(["c"], "`c/p90` <= 2")
    (agg,) = quality.check([p90], {"c/p90": 1.0})
    assert agg.passed and agg.significant is None and "c/p90 <= 2: 1 -> pass" in str(agg)


@scorer
def short(outputs: Any) -> bool:
    return len(str(outputs)) < 3


@scorer
def length(outputs: Any) -> int:
    return len(str(outputs))


@scorer
def words(outputs: Any) -> str:
    return str(outputs)


ROWS = [{"inputs": {"q": i}, "outputs": "x" * (1 + i % 4)} for i in range(12)]


def test_evaluate_with_quality_criteria(
    judge_llm: FakeLLMServer, store: str, caplog: pytest.LogCaptureFixture
) -> None:
    result = ardea.evaluate(
        ROWS,
        scorers=[short, length, words],
        quality_criteria="short >= 0.25 AND `length/p90` <= 3 AND words >= 1",
    )
    run = ardea.get_run(result.run_id)
    tag = json.loads(run.data.tags[quality.QUALITY_CRITERIA_TAG])
    assert [r["metricKey"] for r in tag["rules"]] == ["short/mean", "length/p90", "words/mean"]
    metrics = run.data.metric_values
    assert metrics["length/p90"] == pytest.approx(4.0)  # computed for the criterion
    assert metrics["length/mean"] == pytest.approx(2.5)
    outcome = {c.metric_key: c for c in result.quality_criteria}
    assert outcome["short/mean"].passed is True and outcome["short/mean"].ci_low is not None
    assert outcome["length/p90"].passed is False
    assert outcome["words/mean"].verdict == "unmeasured"
    assert result.passed_quality_criteria is False
    assert "can't be checked: this evaluation produced no 'words/mean' metric" in caplog.text


def test_bad_criteria_fail_before_any_row_runs(judge_llm: FakeLLMServer, store: str) -> None:
    calls: list[Any] = []

    def app(q: int) -> str:
        calls.append(q)
        return "x"

    with pytest.raises(InvalidArgumentError, match="doesn't match any scorer"):
        ardea.evaluate(ROWS, scorers=[short], predict_fn=app, quality_criteria="long >= 1")
    assert calls == [] and ardea.search_runs(output_format="list") == []


def test_a_stale_criteria_tag_is_dropped_on_the_same_run(
    judge_llm: FakeLLMServer, store: str
) -> None:
    with ardea.start_run() as run:
        first = ardea.evaluate(ROWS, scorers=[short], quality_criteria="short >= 0.1")
        assert first.passed_quality_criteria is True
        tags = ardea.get_run(run.info.run_id).data.tags
        assert quality.QUALITY_CRITERIA_TAG in tags
        second = ardea.evaluate(ROWS, scorers=[short])
        assert second.quality_criteria == [] and second.passed_quality_criteria is None
        tags = ardea.get_run(run.info.run_id).data.tags
        assert quality.QUALITY_CRITERIA_TAG not in tags


SAME_AS_MLFLOW = [
    "correctness >= 0.9 AND `latency/p90` <= 2",
    '  "my scorer">=.5 and a.b<=1e1   AnD `safety/min` >= -1 ',
    "correctness > 0.9",
    "correctness >= 1e999",
    "correctness >= 0.9 OR safety >= 1",
    "correctness >= 0.9 ANDsafety >= 1",
    "correctness>=1AND safety>=1",
    "correctness >= 1 and\tsafety>=2",
    "safety/min >= 1",
    "nope >= 1",
    "`latency/p99` <= 2",
    "correctness >= 0.9 AND `correctness/mean` <= 1",
]


@pytest.mark.parametrize("text", SAME_AS_MLFLOW)
def test_parses_as_mlflows_own_parser(text: str) -> None:
    mlflow_qc = pytest.importorskip("mlflow.genai.evaluation.quality_criteria")
    from mlflow.genai.scorers import scorer as mlflow_scorer

    def named(name: str) -> Any:
        @mlflow_scorer(name=name)
        def f(outputs: Any) -> int:
            return 1

        return f

    def outcome(parse: Any, scorers: Any) -> Any:
        try:
            return [r.to_dict() for r in parse(scorers, text)]
        except Exception as exc:
            return str(exc)

    theirs = outcome(mlflow_qc.parse_quality_criteria, [named(n) for n in NAMES])
    assert outcome(quality.parse, NAMES) == theirs
