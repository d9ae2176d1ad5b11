"""Test cases of a simulation: a goal, a persona, context for the app, a turn limit.

A test case is a dict (as MLflow's ``ConversationSimulator`` takes), a pandas DataFrame row,
a managed evaluation dataset record whose ``inputs`` hold those keys, or a :class:`TestCase`.
Every problem is raised before anything runs, as an
:class:`~ardea._core.errors.InvalidArgumentError` (a ``ValueError``) naming the case.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = ["DEFAULT_MAX_TURNS", "DEFAULT_PERSONA", "RESERVED_CONTEXT_KEYS", "TestCase", "to_cases"]

DEFAULT_MAX_TURNS = 10
"""Turns at most when neither the case nor the simulator says (MLflow's default)."""

DEFAULT_PERSONA = (
    "You are an inquisitive user having a natural conversation with an AI assistant. "
    "You write short, casual messages."
)
"""The persona of a case that names none."""

RESERVED_CONTEXT_KEYS = frozenset({"input", "messages", "mlflow_session_id"})
"""Keyword arguments the simulator passes to ``predict_fn`` itself (MLflow's reserved keys)."""

_KEYS = frozenset(
    {"goal", "persona", "context", "max_turns", "expectations", "simulation_guidelines", "name"}
)


@dataclass(frozen=True)
class TestCase:
    """One conversation to simulate.

    Attributes:
        goal: What the simulated user wants to achieve (required).
        persona: Who the simulated user is and how they write.
        context: Extra keyword arguments for ``predict_fn`` (e.g. ``{"user_id": "42"}``).
        max_turns: User turns at most (``None``: the simulator's ``max_turns``).
        expectations: Ground truth logged on the conversation's first trace, with the
            session in its metadata, for session-level scorers (as MLflow).
        guidelines: How the simulated user should conduct the conversation
            (MLflow's ``simulation_guidelines``).
        name: A label for reports (default: ``case <index>``).
    """

    __test__ = False  # not a pytest class

    goal: str
    persona: str = DEFAULT_PERSONA
    context: dict[str, Any] = field(default_factory=dict)
    max_turns: int | None = None
    expectations: dict[str, Any] = field(default_factory=dict)
    guidelines: str | list[str] | None = None
    name: str | None = None


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _label(raw: Any, index: int) -> str:
    name = raw.get("name") if isinstance(raw, Mapping) else getattr(raw, "name", None)
    return f"test case {index}" + (f" ({name!r})" if name else "")


def _one(raw: Any, index: int) -> TestCase:
    where = _label(raw, index)
    if isinstance(raw, TestCase):
        raw = raw.__dict__ | {"simulation_guidelines": raw.guidelines}
        raw.pop("guidelines")
    if not isinstance(raw, Mapping):
        raise InvalidArgumentError(f"{where} must be a dict, got {type(raw).__name__}")
    goal = raw.get("goal")
    if _missing(goal) or not isinstance(goal, str) or not goal.strip():
        raise InvalidArgumentError(f"{where} has no goal: every test case needs a 'goal' text")
    persona = raw.get("persona")
    if not _missing(persona) and not isinstance(persona, str):
        raise InvalidArgumentError(f"{where}: persona must be a text")
    context = raw.get("context")
    context = {} if _missing(context) else context
    if not isinstance(context, Mapping):
        raise InvalidArgumentError(f"{where}: context must be a dict")
    clash = sorted(set(context) & RESERVED_CONTEXT_KEYS)
    if clash:
        raise InvalidArgumentError(
            f"{where}: context keys {clash} are reserved (the simulator passes the "
            "conversation as 'messages' or 'input', and 'mlflow_session_id')"
        )
    max_turns = raw.get("max_turns")
    if not _missing(max_turns):
        if isinstance(max_turns, float) and max_turns.is_integer():
            max_turns = int(max_turns)  # a DataFrame column with gaps holds floats
        if isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 1:
            raise InvalidArgumentError(
                f"{where}: max_turns must be an integer >= 1, got {max_turns!r}"
            )
    expectations = raw.get("expectations")
    expectations = {} if _missing(expectations) else expectations
    if not isinstance(expectations, Mapping):
        raise InvalidArgumentError(f"{where}: expectations must be a dict")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise InvalidArgumentError(f"{where} has unknown key(s) {unknown}; known: {sorted(_KEYS)}")
    guidelines = raw.get("simulation_guidelines")
    return TestCase(
        goal=goal.strip(),
        persona=persona.strip()
        if isinstance(persona, str) and persona.strip()
        else DEFAULT_PERSONA,
        context=dict(context),
        max_turns=None if _missing(max_turns) else max_turns,
        expectations=dict(expectations),
        guidelines=None if _missing(guidelines) else guidelines,
        name=raw.get("name") or None,
    )


def _rows(test_cases: Any) -> Sequence[Any]:
    if callable(getattr(test_cases, "records", None)):  # a managed evaluation dataset
        return [dict(r.inputs or {}) for r in test_cases.records()]
    if callable(getattr(test_cases, "to_df", None)):  # mlflow.genai.datasets
        return list(test_cases.to_df()["inputs"].to_list())
    if hasattr(test_cases, "to_dict") and hasattr(test_cases, "columns"):
        return list(test_cases.to_dict(orient="records"))
    if isinstance(test_cases, (str, bytes, Mapping)) or not isinstance(test_cases, Sequence):
        raise InvalidArgumentError(
            "test_cases must be a list of dicts, a pandas DataFrame or an evaluation dataset, "
            f"got {type(test_cases).__name__}"
        )
    return test_cases


def to_cases(test_cases: Any, max_turns: int) -> list[TestCase]:
    """``test_cases`` checked and normalized, each with its turn limit set.

    Raises:
        InvalidArgumentError: No cases, or a case without a goal, with ``max_turns < 1``,
            a context that is not a dict or uses a reserved key, or an unknown key.
    """
    if isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 1:
        raise InvalidArgumentError(f"max_turns must be an integer >= 1, got {max_turns!r}")
    rows = _rows(test_cases)
    if len(rows) == 0:
        raise InvalidArgumentError("test_cases is empty: there is nothing to simulate")
    out = []
    for i, raw in enumerate(rows):
        case = _one(raw, i)
        if case.max_turns is None:
            case = TestCase(**{**case.__dict__, "max_turns": max_turns})
        out.append(case)
    return out
