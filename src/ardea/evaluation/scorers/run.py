"""Running a scorer safely: whatever it returns or raises becomes a list of feedbacks.

:func:`run_scorer` (sync) and :func:`arun_scorer` (async, so ``evaluate`` can run many at
once) never raise an ``Exception``: a scorer that raises, times out, or returns something that
is not a valid assessment value yields one :class:`~ardea.entities.Feedback` with ``error``
set (code = the exception's class, message = what went wrong). ``KeyboardInterrupt`` and
task cancellation still propagate.

Normalisation follows ``mlflow.genai``: None -> no feedback; a bool/number/string (or a list
of them) -> one feedback named after the scorer; a Feedback keeps its name unless it is the
default ``"feedback"``; a list of Feedback -> each. A feedback without an explicit source gets
``CODE`` with the scorer's name (``LLM_JUDGE`` with the model URI for judges).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Collection, Mapping
from typing import Any

from ardea.entities import AssessmentError, AssessmentSource, Feedback
from ardea.entities.assessment import AssessmentSourceType
from ardea.entities.feedback import DEFAULT_FEEDBACK_NAME
from ardea.evaluation.scorers.base import Scorer

__all__ = [
    "MAX_VALUE_CHARS",
    "ScorerTimeout",
    "arun_scorer",
    "error_feedback",
    "run_scorer",
    "to_feedbacks",
]

MAX_VALUE_CHARS = 1_000_000
"""A feedback value whose JSON is longer than this becomes an error (a store would refuse it)."""


class ScorerTimeout(TimeoutError):
    """A scorer did not answer within its ``timeout``."""


def default_source(scorer: Scorer) -> AssessmentSource:
    """The source of a scorer's feedbacks: the judge model for judges, else CODE + its name."""
    model = getattr(scorer, "model", None) if scorer.is_judge else None
    if model:
        return AssessmentSource(AssessmentSourceType.LLM_JUDGE.value, str(model))
    return AssessmentSource(AssessmentSourceType.CODE.value, scorer.name)


def error_feedback(scorer: Scorer, error: BaseException | str, code: str | None = None) -> Feedback:
    """A feedback named after ``scorer`` that carries ``error`` instead of a value."""
    if isinstance(error, BaseException):
        err: Any = error
        if code is not None:
            err = AssessmentError(code, str(error) or type(error).__name__)
    else:
        err = AssessmentError(code or "SCORER_ERROR", error)
    return Feedback(name=scorer.name, error=err, source=default_source(scorer))


def _is_feedback_like(value: Any) -> bool:
    if isinstance(value, Feedback):
        return True
    cls = type(value)
    return cls.__name__ == "Feedback" and cls.__module__.startswith("mlflow.")


def _from_mlflow(value: Any) -> Feedback:
    """An ``mlflow.entities.Feedback`` as Ardea's."""
    error = getattr(value, "error", None)
    if error is not None and not isinstance(error, (AssessmentError, BaseException, str)):
        error = AssessmentError(
            getattr(error, "error_code", None), getattr(error, "error_message", None)
        )
    return Feedback(
        name=value.name,
        value=value.value,
        error=error,
        source=getattr(value, "source", None),
        rationale=getattr(value, "rationale", None),
        metadata=getattr(value, "metadata", None),
        span_id=getattr(value, "span_id", None),
    )


def _named(feedback: Feedback, scorer: Scorer, explicit_source: bool) -> Feedback:
    if feedback.name == DEFAULT_FEEDBACK_NAME:
        feedback.name = scorer.name
    if not explicit_source:
        feedback.source = default_source(scorer)
    return feedback


def _check_size(feedback: Feedback) -> Feedback:
    if feedback.value is None:
        return feedback
    size = len(json.dumps(feedback.value))
    if size > MAX_VALUE_CHARS:
        feedback.value = None
        feedback.error = AssessmentError(
            "VALUE_TOO_LARGE",
            f"The scorer returned a value of {size:,} characters (as JSON); "
            f"the limit is {MAX_VALUE_CHARS:,}",
        )
    return feedback


def _one(scorer: Scorer, item: Any) -> Feedback:
    if _is_feedback_like(item):
        explicit = not (
            item.source.source_type == AssessmentSourceType.CODE.value
            and item.source.source_id in (None, "default")
        )
        feedback = item if isinstance(item, Feedback) else _from_mlflow(item)
        return _check_size(_named(feedback, scorer, explicit))
    return _check_size(Feedback(name=scorer.name, value=item, source=default_source(scorer)))


def to_feedbacks(scorer: Scorer, result: Any) -> list[Feedback]:
    """What ``scorer`` returned, as feedbacks (see the module docstring for the rules).

    Raises:
        InvalidArgumentError: A value that is not JSON (an object, NaN, ...).
    """
    if result is None:
        return []
    if _is_feedback_like(result) or isinstance(result, (bool, int, float, str, Mapping)):
        return [_one(scorer, result)]
    if isinstance(result, Collection) and not isinstance(result, (bytes, bytearray)):
        items = list(result)
        if items and all(_is_feedback_like(i) for i in items):
            return [_one(scorer, i) for i in items]
        return [_one(scorer, items)]
    return [_one(scorer, result)]


def _safe(scorer: Scorer, result: Any) -> list[Feedback]:
    try:
        return to_feedbacks(scorer, result)
    except Exception as exc:
        return [
            error_feedback(scorer, f"The scorer returned an invalid value: {exc}", "INVALID_VALUE")
        ]


def _timeout_error(scorer: Scorer) -> Feedback:
    return error_feedback(
        scorer,
        f"Scorer {scorer.name!r} did not finish within its timeout of {scorer.timeout}s",
        "TIMEOUT",
    )


def run_scorer(
    scorer: Scorer,
    *,
    inputs: Any = None,
    outputs: Any = None,
    expectations: dict[str, Any] | None = None,
    trace: Any = None,
    session: list[Any] | None = None,
) -> list[Feedback]:
    """Run ``scorer`` on one row and return its feedbacks; never raises an ``Exception``.

    With a ``timeout``, the scorer runs in a daemon thread and the call returns a TIMEOUT
    feedback when the time is up (a sync scorer cannot be stopped: its thread is abandoned).

    Example::

        run_scorer(ExactMatch(), outputs="Paris", expectations={"expected_response": "Paris"})
        # [Feedback(name="exact_match", value=True, ...)]
    """
    kwargs = {
        "inputs": inputs,
        "outputs": outputs,
        "expectations": expectations,
        "trace": trace,
        "session": session,
    }
    if not scorer.timeout:
        try:
            result = scorer.run(**kwargs)
        except Exception as exc:
            return [error_feedback(scorer, exc)]
        return _safe(scorer, result)
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = scorer.run(**kwargs)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=work, name=f"scorer-{scorer.name}", daemon=True)
    thread.start()
    thread.join(scorer.timeout)
    if thread.is_alive():
        return [_timeout_error(scorer)]
    if "error" in box:
        error = box["error"]
        if not isinstance(error, Exception):
            raise error
        return [error_feedback(scorer, error)]
    return _safe(scorer, box.get("result"))


async def arun_scorer(
    scorer: Scorer,
    *,
    inputs: Any = None,
    outputs: Any = None,
    expectations: dict[str, Any] | None = None,
    trace: Any = None,
    session: list[Any] | None = None,
) -> list[Feedback]:
    """:func:`run_scorer` for coroutines: judges await their LLM call, code runs in a thread.

    A ``timeout`` cancels the scorer's task (an LLM call is aborted at once).
    """
    call = scorer.arun(
        inputs=inputs, outputs=outputs, expectations=expectations, trace=trace, session=session
    )
    try:
        if scorer.timeout:
            result = await asyncio.wait_for(call, scorer.timeout)
        else:
            result = await call
    except asyncio.TimeoutError:
        return [_timeout_error(scorer)]
    except Exception as exc:
        return [error_feedback(scorer, exc)]
    return _safe(scorer, result)
