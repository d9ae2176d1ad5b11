"""@scorer, Scorer subclasses and run_scorer/arun_scorer: signatures, normalisation, errors."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import AssessmentSource, Feedback
from ardea.scorers import Scorer, arun_scorer, run_scorer, scorer


def test_scorer_gets_only_the_arguments_it_names() -> None:
    seen: dict[str, Any] = {}

    @scorer
    def only_outputs(outputs):  # type: ignore[no-untyped-def]
        seen["outputs"] = outputs
        return True

    @scorer(name="both", aggregations=["mean", "p90"])
    def both(expectations, inputs):  # type: ignore[no-untyped-def]
        seen["both"] = (inputs, expectations)
        return 0.5

    row = {"inputs": {"q": 1}, "outputs": "o", "expectations": {"e": 2}, "trace": None}
    assert run_scorer(only_outputs, **row)[0].value is True
    assert run_scorer(both, **row)[0].value == 0.5
    assert seen == {"outputs": "o", "both": ({"q": 1}, {"e": 2})}
    assert only_outputs.name == "only_outputs" and both.aggregations == ["mean", "p90"]
    assert only_outputs.parameters == frozenset({"outputs"})


def test_scorer_options_are_checked() -> None:
    with pytest.raises(InvalidArgumentError, match="aggregation"):
        scorer(aggregations=["average"])(lambda outputs: 1)
    with pytest.raises(InvalidArgumentError, match="parameter 'foo'"):
        scorer(lambda foo: 1)
    with pytest.raises(InvalidArgumentError, match="timeout"):
        scorer(timeout=-1)(lambda outputs: 1)
    custom = scorer(aggregations=[max, "min"], pass_if=lambda v: v > 0)(lambda outputs: 1)
    assert custom.pass_if is not None and custom.pass_if(1)


def test_class_scorers_take_annotated_fields() -> None:
    class LongEnough(Scorer):
        min_words: int = 3

        def __call__(self, *, outputs: Any) -> bool:
            return len(str(outputs).split()) >= self.min_words

    default, strict = LongEnough(), LongEnough(name="long5", min_words=5)
    assert default.name == "long_enough" and strict.name == "long5"
    assert run_scorer(default, outputs="a b c")[0].value is True
    assert run_scorer(strict, outputs="a b c")[0].value is False
    with pytest.raises(InvalidArgumentError, match="unexpected argument 'nope'"):
        LongEnough(nope=1)


@pytest.mark.parametrize(
    ("returned", "values"),
    [
        (True, [True]),
        (3, [3]),
        (0.25, [0.25]),
        ("good", ["good"]),
        ([1, 2], [[1, 2]]),
        ({"a": 1}, [{"a": 1}]),
        (None, []),
    ],
)
def test_return_values_become_feedbacks(returned: Any, values: list[Any]) -> None:
    feedbacks = run_scorer(scorer(name="s")(lambda outputs: returned), outputs="x")
    assert [f.value for f in feedbacks] == values
    for f in feedbacks:
        assert f.name == "s" and (f.source.source_type, f.source.source_id) == ("CODE", "s")


def test_feedbacks_keep_their_names_and_sources() -> None:
    human = AssessmentSource("HUMAN", "ann")

    @scorer
    def many(outputs):  # type: ignore[no-untyped-def]
        return [Feedback(name="a", value=1), Feedback(value=2, rationale="r", source=human)]

    first, second = run_scorer(many, outputs="x")
    assert (first.name, first.value, first.source.source_id) == ("a", 1, "many")
    assert (second.name, second.rationale, second.source.source_id) == ("many", "r", "ann")


def test_mlflow_feedback_is_accepted() -> None:
    from mlflow.entities import Feedback as MlflowFeedback

    feedback = run_scorer(
        scorer(lambda outputs: MlflowFeedback(name="m", value="yes", rationale="why")),
        outputs="x",
    )[0]
    assert (feedback.name, feedback.value, feedback.rationale) == ("m", "yes", "why")


def test_a_scorer_that_raises_is_an_error_feedback() -> None:
    @scorer
    def broken(outputs):  # type: ignore[no-untyped-def]
        raise KeyError("missing key")

    (feedback,) = run_scorer(broken, outputs="x")
    assert feedback.value is None and feedback.name == "broken"
    assert feedback.error is not None and feedback.error.error_code == "KeyError"
    assert "missing key" in (feedback.error.stack_trace or "")


def test_bad_return_values_are_error_feedbacks() -> None:
    class Thing:
        pass

    for bad in (Thing(), float("nan"), {1: "x"}):
        (feedback,) = run_scorer(scorer(name="bad")(lambda outputs, v=bad: v), outputs="x")
        assert feedback.error is not None and feedback.error.error_code == "INVALID_VALUE"


def test_a_huge_value_is_an_error_feedback() -> None:
    (feedback,) = run_scorer(scorer(lambda outputs: outputs), outputs="x" * 10_000_000)
    assert feedback.value is None
    assert feedback.error is not None and feedback.error.error_code == "VALUE_TOO_LARGE"


def test_timeout_in_sync_and_async_runs() -> None:
    release = threading.Event()

    @scorer(timeout=0.05)
    def slow(outputs):  # type: ignore[no-untyped-def]
        release.wait(10)
        return 1

    try:
        (feedback,) = run_scorer(slow, outputs="x")
        assert feedback.error is not None and feedback.error.error_code == "TIMEOUT"

        async def main() -> list[Feedback]:
            feedbacks = await arun_scorer(slow, outputs="x")
            release.set()  # lets the abandoned worker thread end before the loop closes
            return feedbacks

        (feedback,) = asyncio.run(main())
        assert feedback.error is not None and feedback.error.error_code == "TIMEOUT"
    finally:
        release.set()
    quick = scorer(timeout=5)(lambda outputs: outputs)
    assert run_scorer(quick, outputs=7)[0].value == 7
    raising = scorer(timeout=5)(lambda outputs: 1 / 0)
    assert run_scorer(raising, outputs=7)[0].error.error_code == "ZeroDivisionError"  # type: ignore[union-attr]


def test_async_scorers() -> None:
    @scorer
    async def coro(outputs):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0)
        return outputs == "x"

    assert run_scorer(coro, outputs="x")[0].value is True
    assert asyncio.run(arun_scorer(coro, outputs="x"))[0].value is True

    async def boom() -> list[Feedback]:
        return await arun_scorer(scorer(lambda outputs: 1 / 0), outputs="x")

    assert asyncio.run(boom())[0].error is not None


def test_run_scorer_inside_a_running_loop() -> None:
    @scorer
    async def coro(outputs):  # type: ignore[no-untyped-def]
        return 1

    async def main() -> Any:
        return run_scorer(coro, outputs="x")

    assert asyncio.run(main())[0].value == 1


def test_code_scorers_have_no_cache_key() -> None:
    plain = scorer(lambda outputs: 1)
    assert plain.cache_key(outputs="x") is None and not plain.calls_llm
